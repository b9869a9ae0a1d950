import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { App } from './app.js'
import { clientErrorListener } from './client-error.js'
import { createLogger, type Logger } from './logger.js'

/**
 * Options of {@link serve}; all optional.
 *
 * @example
 * ```ts
 * const options: ServeOptions = { port: 8080, host: '0.0.0.0', drainDelayMs: 10_000, onClose: () => pool.end() }
 * ```
 */
export interface ServeOptions {
  /** Default 3000; 0 picks a free port. */
  readonly port?: number
  /** Default `127.0.0.1`; use `0.0.0.0` behind a load balancer. */
  readonly host?: string
  /** Idle keep-alive time; default 65 000, longer than an AWS ALB's 60 s idle timeout. */
  readonly keepAliveTimeoutMs?: number
  /** Time to receive the request headers; default 10 000. */
  readonly headersTimeoutMs?: number
  /** Time to receive the whole request; default 30 000, at least `headersTimeoutMs`. */
  readonly requestTimeoutMs?: number
  /** How often node checks the two timeouts above; default 1000 (node's own default is 30 000). */
  readonly connectionsCheckingIntervalMs?: number
  /** Time between readiness turning 503 and closing the listener; default 5000. */
  readonly drainDelayMs?: number
  /** Hard deadline of the whole shutdown; default 30 000, more than `drainDelayMs`. */
  readonly shutdownTimeoutMs?: number
  /** Signals that start the shutdown; default `['SIGTERM', 'SIGINT']`; `false` for none. A second SIGINT exits at once with 130. */
  readonly signals?: readonly NodeJS.Signals[] | false
  /** Called after the last connection closed, e.g. to end a database pool. */
  readonly onClose?: () => Promise<void>
  /** Called with the exit code after a signal-started shutdown; default `process.exit`. */
  readonly exit?: (code: number) => void
  /** Default: `createLogger()`. */
  readonly logger?: Logger
}

/**
 * A listening server.
 *
 * @example
 * ```ts
 * await using running = await serve(app, { port: 0, signals: false })
 * await fetch(`${running.url}/healthz`)
 * ```
 */
export interface RunningServer {
  /** E.g. `http://127.0.0.1:3000`. */
  readonly url: string
  readonly port: number
  readonly server: Server
  /** Runs the graceful shutdown sequence; idempotent; never exits the process. */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Two SIGINTs closer than this are one Ctrl-C delivered twice (by the terminal and by npm). */
const sameInterruptMs = 300

/** Closes connections that finished their response but stayed open (keep-alive) during the drain. */
const idleSweepMs = 100

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`)
  return value
}

function nonNegative(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`)
  return value
}

class Lifecycle implements RunningServer {
  readonly url: string
  readonly port: number
  readonly server: Server
  readonly #app: App
  readonly #logger: Logger
  readonly #drainDelayMs: number
  readonly #shutdownTimeoutMs: number
  readonly #onClose: (() => Promise<void>) | undefined
  readonly #exit: (code: number) => void
  readonly #signals: readonly NodeJS.Signals[]
  readonly #onSignal = (signal: NodeJS.Signals): void => {
    // A second Ctrl-C means "now": exit at once with 130 (128 + SIGINT), as shells report it.
    // `npm start` forwards the terminal's SIGINT to its child, which also got it from the terminal
    // (same process group): a repeat within `sameInterruptMs` is that one Ctrl-C, not a second.
    // Repeated SIGTERMs (an orchestrator retrying) keep waiting for the graceful sequence.
    if (signal === 'SIGINT') {
      const now = performance.now()
      if (this.#interruptedAt !== undefined && now - this.#interruptedAt > sameInterruptMs) {
        this.#logger.warn({ signal }, 'second interrupt: exiting now')
        this.#exit(130)
        return
      }
      this.#interruptedAt ??= now
    }
    if (this.#exitScheduled) {
      this.#logger.info({ signal }, 'shutdown already in progress')
      return
    }
    this.#exitScheduled = true
    this.#logger.info({ signal }, 'shutdown requested')
    void this.#shutdown().then(this.#exit)
  }

  #sequence: Promise<number> | undefined
  #closed: Promise<void> | undefined
  #exitScheduled = false
  #interruptedAt: number | undefined

  constructor(server: Server, app: App, options: ServeOptions, logger: Logger, drainDelayMs: number, shutdownTimeoutMs: number) {
    const address = server.address() as AddressInfo
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    this.url = `http://${host}:${String(address.port)}`
    this.port = address.port
    this.server = server
    this.#app = app
    this.#logger = logger
    this.#drainDelayMs = drainDelayMs
    this.#shutdownTimeoutMs = shutdownTimeoutMs
    this.#onClose = options.onClose
    this.#exit = options.exit ?? ((code: number) => process.exit(code))
    this.#signals = options.signals === false ? [] : (options.signals ?? ['SIGTERM', 'SIGINT'])
    for (const signal of this.#signals) process.on(signal, this.#onSignal)
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutdown().then(() => undefined)
    return this.#closed
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** Runs the sequence once; resolves with the exit code: 0, or 1 after a forced close or a failing `onClose`. */
  #shutdown(): Promise<number> {
    this.#sequence ??= this.#run()
    return this.#sequence
  }

  async #run(): Promise<number> {
    const logger = this.#logger
    const server = this.server
    let forced = false
    let deadlineTimer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      deadlineTimer = setTimeout(() => {
        forced = true
        logger.warn({ shutdownTimeoutMs: this.#shutdownTimeoutMs }, 'shutdown deadline reached: closing all connections')
        server.closeAllConnections()
        resolve()
      }, this.#shutdownTimeoutMs)
      // Not unref'd: the sequence must reach its end (and exit) even if onClose waits on nothing that holds the loop.
    })
    // 1. readiness turns 503, responses carry `Connection: close`
    this.#app.startDraining()
    logger.info({ drainDelayMs: this.#drainDelayMs }, 'draining')
    // 2. give the load balancer time to notice
    await sleep(this.#drainDelayMs)
    // 3. stop accepting; 4. in-flight requests finish; 5. idle keep-alive sockets close
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    logger.info({}, 'stopped accepting connections')
    const sweeper = setInterval(() => server.closeIdleConnections(), idleSweepMs).unref()
    await Promise.race([closed, deadline])
    clearInterval(sweeper)
    logger.info({ forced }, 'server closed')
    // 6. release resources, within what is left of the deadline
    let code = forced ? 1 : 0
    if (this.#onClose !== undefined) {
      try {
        await Promise.race([this.#onClose(), deadline])
      } catch (err) {
        logger.error({ err }, 'onClose failed')
        code = 1
      }
    }
    clearTimeout(deadlineTimer)
    for (const signal of this.#signals) process.off(signal, this.#onSignal)
    if (forced) code = 1
    logger.info({ code }, 'shutdown complete')
    return code
  }
}

/**
 * Listens with `app.handle` and the given timeouts, and shuts down gracefully on
 * SIGTERM/SIGINT: readiness 503, wait `drainDelayMs`, stop accepting, let in-flight
 * requests finish, close idle keep-alive sockets, `onClose()`, then `exit(0)`.
 * Past `shutdownTimeoutMs` every connection is destroyed and the exit code is 1.
 * A second SIGINT (Ctrl-C twice) exits at once with code 130.
 *
 * @example
 * ```ts
 * const running = await serve(app, { port: 8080, host: '0.0.0.0', onClose: () => pool.end() })
 * console.log(`listening on ${running.url}`)
 * ```
 */
export async function serve(app: App, options: ServeOptions = {}): Promise<RunningServer> {
  const keepAliveTimeout = nonNegative('keepAliveTimeoutMs', options.keepAliveTimeoutMs ?? 65_000)
  const headersTimeout = nonNegative('headersTimeoutMs', options.headersTimeoutMs ?? 10_000)
  const requestTimeout = nonNegative('requestTimeoutMs', options.requestTimeoutMs ?? 30_000)
  const connectionsCheckingInterval = positive('connectionsCheckingIntervalMs', options.connectionsCheckingIntervalMs ?? 1_000)
  const drainDelayMs = nonNegative('drainDelayMs', options.drainDelayMs ?? 5_000)
  const shutdownTimeoutMs = nonNegative('shutdownTimeoutMs', options.shutdownTimeoutMs ?? 30_000)
  if (requestTimeout !== 0 && headersTimeout > requestTimeout) {
    throw new RangeError(`headersTimeoutMs (${String(headersTimeout)}) must not exceed requestTimeoutMs (${String(requestTimeout)})`)
  }
  if (drainDelayMs >= shutdownTimeoutMs) {
    throw new RangeError(`drainDelayMs (${String(drainDelayMs)}) must be less than shutdownTimeoutMs (${String(shutdownTimeoutMs)})`)
  }
  const logger = options.logger ?? createLogger()
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval }, app.handle)
  server.keepAliveTimeout = keepAliveTimeout
  server.on('clientError', clientErrorListener(logger))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const running = new Lifecycle(server, app, options, logger, drainDelayMs, shutdownTimeoutMs)
  logger.info({ url: running.url }, 'listening')
  return running
}
