import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls `probe` every `intervalMs` until it returns a value, and returns it; throws
 * `no <what> after <s> s` once `timeoutMs` has passed (the drills' waits, the bench's cluster view).
 */
export async function pollFor<T>(what: string, timeoutMs: number, intervalMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = performance.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (performance.now() > until) throw new Error(`no ${what} after ${timeoutMs / 1000} s`)
    await sleep(intervalMs)
  }
}
