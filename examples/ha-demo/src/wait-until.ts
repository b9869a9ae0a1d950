import { setTimeout as sleep } from 'node:timers/promises'
import { HaDemoError } from './errors.js'

/**
 * Polls `check` until it returns something other than `false`/`undefined`, and returns it.
 * Throws `DEMO_TIMEOUT` (with the last error a check threw as `cause`) after `timeoutMs`, and
 * rethrows `DEMO_PROCESS_EXITED` at once: a dead process will not come back by waiting.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | false | undefined>,
  options: { timeoutMs: number; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const result = await check()
      if (result !== false && result !== undefined) return result
    } catch (err) {
      if (err instanceof HaDemoError && err.code === 'DEMO_PROCESS_EXITED') throw err
      lastError = err
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new HaDemoError('DEMO_TIMEOUT', `timed out after ${options.timeoutMs} ms waiting for ${what}${detail}`,
        lastError === undefined ? undefined : { cause: lastError })
    }
    await sleep(options.intervalMs ?? 100)
  }
}
