import { pollUntil } from '@birthday-ha/local-cluster/wait'
import { HaDemoError } from './errors.js'

/**
 * Polls `check` until it returns something other than `false`/`undefined`, and returns it.
 * Throws `DEMO_TIMEOUT` (with the last error a check threw as `cause`) after `timeoutMs`, and
 * rethrows `DEMO_PROCESS_EXITED` at once: a dead process will not come back by waiting.
 * local-cluster's poll with this example's errors.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | false | undefined>, options: { timeoutMs: number; intervalMs?: number }): Promise<T> {
  return await pollUntil(what, check, {
    ...options,
    isFatal: (err) => err instanceof HaDemoError && err.code === 'DEMO_PROCESS_EXITED',
    timeoutError: (message, cause) => new HaDemoError('DEMO_TIMEOUT', message, cause === undefined ? undefined : { cause }),
  })
}
