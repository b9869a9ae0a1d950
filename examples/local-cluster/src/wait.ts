import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { LocalClusterError } from './errors.js'

/** Options of {@link waitFor}. */
export interface WaitOptions {
  readonly timeoutMs: number
  /** Pause between polls. Default 100 ms. */
  readonly intervalMs?: number
  /** Clock, injectable for tests. */
  readonly now?: () => number
}

/** Options of {@link pollUntil}: a wait's errors are its caller's (each example has its own error class). */
export interface PollOptions extends WaitOptions {
  /** The error to throw once `timeoutMs` has passed; `cause` is the last error a check threw. */
  readonly timeoutError: (message: string, cause: unknown) => Error
  /** A check's error that ends the wait at once (a process that died will not come back by waiting). */
  readonly isFatal: (err: unknown) => boolean
}

/**
 * Polls `check` until it returns a value other than `false`/`undefined`, and returns that value.
 * Throws `timeoutError(...)` naming `what` (and the last error a check threw, as `cause`) once
 * `timeoutMs` has passed, or a check's error at once when it `isFatal`. Bounded always; never a fixed sleep.
 *
 * @example
 * ```ts
 * await pollUntil('port 8080', () => portAccepts(8080), { timeoutMs: 5_000, timeoutError: (m) => new Error(m), isFatal: () => false })
 * ```
 */
export async function pollUntil<T>(what: string, check: () => Promise<T | false | undefined>, options: PollOptions): Promise<T> {
  const now = options.now ?? Date.now
  const deadline = now() + options.timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const result = await check()
      if (result !== false && result !== undefined) return result
    } catch (err) {
      if (options.isFatal(err)) throw err
      lastError = err
    }
    if (now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw options.timeoutError(`timed out after ${options.timeoutMs} ms waiting for ${what}${detail}`, lastError)
    }
    await sleep(options.intervalMs ?? 100) // ref'd on purpose: a CLI awaiting this must not exit
  }
}

/**
 * {@link pollUntil} with this package's errors: `LC_TIMEOUT`, and `LC_PROCESS_EXITED` fails at once
 * (with the process's log tail).
 */
export async function waitFor<T>(what: string, check: () => Promise<T | false | undefined>, options: WaitOptions): Promise<T> {
  return await pollUntil(what, check, {
    ...options,
    isFatal: (err) => err instanceof LocalClusterError && err.code === 'LC_PROCESS_EXITED',
    timeoutError: (message, cause) => new LocalClusterError('LC_TIMEOUT', message, cause === undefined ? undefined : { cause }),
  })
}

/** Whether something accepts TCP connections on 127.0.0.1:`port` (within 500 ms): what a wait for a listener polls. */
export async function portAccepts(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', timeout: 500 })
    const settle = (accepted: boolean): void => {
      socket.destroy()
      resolve(accepted)
    }
    const refused = (): void => settle(false)
    socket.once('connect', () => settle(true))
    socket.once('error', refused)
    socket.once('timeout', refused) // no answer within 500 ms counts as refused
  })
}
