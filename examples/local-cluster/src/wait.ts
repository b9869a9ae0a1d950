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

/**
 * Polls `check` until it returns a value other than `false`/`undefined`, and returns that value.
 * Throws `LC_TIMEOUT` naming `what` (and the last error a check threw, as `cause`) once `timeoutMs`
 * has passed, or at once when a check throws `LC_PROCESS_EXITED`. Bounded always; never a fixed sleep.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | false | undefined>, options: WaitOptions): Promise<T> {
  const now = options.now ?? Date.now
  const deadline = now() + options.timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const result = await check()
      if (result !== false && result !== undefined) return result
    } catch (err) {
      // A process that died will not come back by waiting: fail now, with its log tail.
      if (err instanceof LocalClusterError && err.code === 'LC_PROCESS_EXITED') throw err
      lastError = err
    }
    if (now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new LocalClusterError('LC_TIMEOUT', `timed out after ${options.timeoutMs} ms waiting for ${what}${detail}`,
        lastError === undefined ? undefined : { cause: lastError })
    }
    await sleep(options.intervalMs ?? 100) // ref'd on purpose: a CLI awaiting this must not exit
  }
}
