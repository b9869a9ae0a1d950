import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { collectDefaultMetrics, Registry } from 'prom-client'
import { builtinRoutes, RawBody } from './builtin-routes.js'
import { clientErrorListener } from './client-error.js'
import { HttpError } from './errors.js'
import { inject, type InjectRequest, type InjectResponse } from './inject.js'
import { createLogger, isLevelEnabled, type Logger } from './logger.js'
import { HttpMetrics } from './metrics.js'
import { toProblem } from './problem.js'
import { Context } from './request-context.js'
import { requestIdOf } from './request-id.js'
import type { Handler, Route } from './route.js'
import { Router } from './router.js'

/**
 * Options of {@link createApp}.
 *
 * @example
 * ```ts
 * const options: AppOptions = { routes, readiness: () => db.ping(), bodyLimitBytes: 4096 }
 * ```
 */
export interface AppOptions {
  readonly routes: readonly Route[]
  /** Readiness check behind `GET /readyz`; 503 when it resolves to anything but `true`, throws or is too slow. */
  readonly readiness?: () => Promise<boolean>
  /** Default 2000. */
  readonly readinessTimeoutMs?: number
  /** Default: `createLogger()` (info, stdout). */
  readonly logger?: Logger
  /** Largest accepted JSON body; default 16384. */
  readonly bodyLimitBytes?: number
  /** Default: a new Registry with prom-client's default process metrics. */
  readonly registry?: Registry
}

/**
 * An HTTP application: a node:http request listener plus lifecycle and in-memory testing.
 *
 * @example
 * ```ts
 * const server = http.createServer(app.handle)
 * const res = await app.inject({ method: 'GET', url: '/healthz' })
 * ```
 */
export interface App {
  /** A node:http request listener. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void
  /** Runs a request through the real HTTP parser over an in-memory connection. */
  inject(request: InjectRequest): Promise<InjectResponse>
  /** True once {@link App.startDraining} was called. */
  readonly draining: boolean
  /** `/readyz` answers 503 from now on, and every response carries `Connection: close`. */
  startDraining(): void
  readonly registry: Registry
}

interface Entry {
  readonly handler: Handler
  /** Built-in routes log at debug. */
  readonly quiet: boolean
}

const jsonContentType = 'application/json; charset=utf-8'
const unmatched = '(unmatched)'
const bodylessStatuses: ReadonlySet<number> = new Set([204, 304])

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${String(value)}`)
  return value
}

class HttpApp implements App {
  readonly registry: Registry
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void
  readonly #router: Router<Entry>
  readonly #logger: Logger
  readonly #metrics: HttpMetrics
  readonly #bodyLimit: number
  readonly #logInfo: boolean
  readonly #logDebug: boolean
  #draining = false
  #injectServer: Server | undefined

  constructor(options: AppOptions) {
    this.#bodyLimit = positiveInteger('bodyLimitBytes', options.bodyLimitBytes ?? 16_384)
    this.#logger = options.logger ?? createLogger()
    this.#logInfo = isLevelEnabled(this.#logger, 'info')
    this.#logDebug = isLevelEnabled(this.#logger, 'debug')
    if (options.registry === undefined) {
      this.registry = new Registry()
      collectDefaultMetrics({ register: this.registry })
    } else {
      this.registry = options.registry
    }
    this.#metrics = new HttpMetrics(this.registry)
    const builtins = builtinRoutes({
      registry: this.registry,
      logger: this.#logger,
      isDraining: () => this.#draining,
      readiness: options.readiness,
      readinessTimeoutMs: positiveInteger('readinessTimeoutMs', options.readinessTimeoutMs ?? 2_000),
    })
    const entries = [
      ...options.routes.map((route) => ({ method: route.method, path: route.path, handler: { handler: route.handler, quiet: false } })),
      ...builtins.map((route) => ({ method: route.method, path: route.path, handler: { handler: route.handler, quiet: true } })),
    ]
    this.#router = new Router(entries)
    this.handle = (req, res) => {
      // node emits 'request' for every pipelined request as soon as it is parsed; its response only gets the
      // socket once the one before it finished. Starting it then keeps a GET pipelined after a PUT from
      // reading the state before the PUT (RFC 9112 9.3.2: only safe requests may be processed in parallel).
      if (res.socket === null) res.once('socket', () => this.#dispatch(req, res))
      else this.#dispatch(req, res)
    }
  }

  get draining(): boolean {
    return this.#draining
  }

  startDraining(): void {
    this.#draining = true
  }

  inject(request: InjectRequest): Promise<InjectResponse> {
    if (this.#injectServer === undefined) {
      this.#injectServer = createServer(this.handle)
      this.#injectServer.on('clientError', clientErrorListener(this.#logger))
    }
    return inject(this.#injectServer, request)
  }

  #dispatch(req: IncomingMessage, res: ServerResponse): void {
    const start = performance.now()
    this.#metrics.inFlight++
    const requestId = requestIdOf(req)
    let route = unmatched
    try {
      let url = req.url as string
      if (url.charCodeAt(0) !== 47 /* "/" */) url = originForm(url)
      const q = url.indexOf('?')
      const match = this.#router.find(q === -1 ? url : url.slice(0, q))
      if (match === null) throw new HttpError(404, { code: 'HTTP_NOT_FOUND', detail: 'No route matches the path.' })
      const endpoint = match.endpoint
      route = endpoint.pattern
      const method = req.method as string
      const compiled = endpoint.routes.get(method) ?? (method === 'HEAD' ? endpoint.routes.get('GET') : undefined)
      if (compiled === undefined) {
        if (method === 'OPTIONS') {
          this.#send(req, res, 204, { allow: endpoint.allow }, undefined, route, requestId, start, false)
          return
        }
        throw new HttpError(405, {
          code: 'HTTP_METHOD_NOT_ALLOWED',
          detail: `Allowed methods: ${endpoint.allow}.`,
          headers: { allow: endpoint.allow },
        })
      }
      route = compiled.pattern
      const ctx = new Context(req, match.path, q === -1 ? '' : url.slice(q + 1), route, compiled.paramNames,
        match.values, requestId, this.#logger, this.#bodyLimit)
      void this.#run(compiled.handler, ctx, req, res, start)
    } catch (err) {
      this.#fail(req, res, err, route, requestId, start, false)
    }
  }

  async #run(entry: Entry, ctx: Context, req: IncomingMessage, res: ServerResponse, start: number): Promise<void> {
    try {
      const result = await entry.handler(ctx)
      if (typeof result !== 'object' || result === null || !Number.isInteger(result.status) || result.status < 200 || result.status > 599) {
        throw new TypeError(`handler for ${ctx.method} ${ctx.route} returned an invalid result; expected { status: 200..599, body?, headers? }`)
      }
      let payload: string | undefined
      const headers: OutgoingHttpHeaders = {}
      if (result.body instanceof RawBody) {
        payload = result.body.text
        headers['content-type'] = result.body.contentType
      } else if (result.body !== undefined) {
        // lib.d.ts says string, but a function, a symbol or a toJSON() returning undefined serializes to undefined.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the widening is the point
        payload = JSON.stringify(result.body) as string | undefined
        if (payload === undefined) throw new TypeError(`handler for ${ctx.method} ${ctx.route} returned a body JSON cannot represent`)
        headers['content-type'] = jsonContentType
      }
      if (result.headers !== undefined) {
        for (const name in result.headers) headers[name.toLowerCase()] = result.headers[name]
      }
      this.#send(req, res, result.status, headers, payload, ctx.route, ctx.requestId, start, entry.quiet)
    } catch (err) {
      this.#fail(req, res, err, ctx.route, ctx.requestId, start, entry.quiet)
    }
  }

  /** The one place error responses are written; the mapping itself is `toProblem`. */
  #fail(req: IncomingMessage, res: ServerResponse, err: unknown, route: string, requestId: string, start: number, quiet: boolean): void {
    const problem = toProblem(err)
    if (!problem.expected) {
      this.#logger.error({ reqId: requestId, method: req.method, route, err: problem.error.cause }, 'unhandled error')
    } else if (problem.status >= 500 && !quiet) {
      this.#logger.warn({ reqId: requestId, method: req.method, route, err: problem.error }, 'request failed')
    }
    if (res.headersSent) {
      // Part of a response is already on the wire: the only honest signal left is to cut the connection.
      res.destroy()
      this.#record(req, route, problem.status, requestId, start, quiet)
      return
    }
    this.#send(req, res, problem.status, problem.headers, problem.body, route, requestId, start, quiet)
  }

  #send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    headers: OutgoingHttpHeaders,
    payload: string | undefined,
    route: string,
    requestId: string,
    start: number,
    quiet: boolean,
  ): void {
    headers['x-request-id'] = requestId
    if (payload !== undefined) headers['content-length'] = Buffer.byteLength(payload)
    else if (!bodylessStatuses.has(status)) headers['content-length'] = 0
    if (this.#draining) headers['connection'] = 'close'
    try {
      res.writeHead(status, headers)
    } catch (err) {
      // Invalid header names or values from a handler; nothing was written yet.
      this.#fail(req, res, err, route, requestId, start, quiet)
      return
    }
    res.end(payload)
    this.#record(req, route, status, requestId, start, quiet)
  }

  #record(req: IncomingMessage, route: string, status: number, requestId: string, start: number, quiet: boolean): void {
    const ms = performance.now() - start
    const method = req.method as string
    this.#metrics.inFlight--
    this.#metrics.observe(method, route, status, ms / 1000)
    if (quiet ? !this.#logDebug : !this.#logInfo) return
    const fields = { reqId: requestId, method, route, status, duration_ms: Math.round(ms * 1000) / 1000 }
    if (quiet) this.#logger.debug(fields, 'request completed')
    else this.#logger.info(fields, 'request completed')
  }
}

/** Absolute-form request targets (`GET http://host/path`) become origin-form; anything else is a 400. */
function originForm(target: string): string {
  try {
    const url = new URL(target)
    return url.pathname + url.search
  } catch (cause) {
    throw new HttpError(400, { code: 'HTTP_BAD_REQUEST', detail: 'The request target is not a path.', cause })
  }
}

/**
 * Creates an app from routes: a node:http request listener with routing, JSON bodies,
 * problem+json errors, `/healthz`, `/readyz`, `/metrics`, access logs and draining.
 *
 * @example
 * ```ts
 * const app = createApp({
 *   routes: [{ method: 'GET', path: '/hello/:name', handler: (ctx) => ({ status: 200, body: { hi: ctx.params['name'] } }) }],
 * })
 * const res = await app.inject({ method: 'GET', url: '/hello/ada' })
 * ```
 */
export function createApp(options: AppOptions): App {
  return new HttpApp(options)
}
