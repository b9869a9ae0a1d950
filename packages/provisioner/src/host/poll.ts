/** How long and how often to poll. */
export interface PollOptions {
  readonly attempts: number
  readonly intervalMs: number
  readonly sleep: (ms: number) => Promise<void>
}

/** Poll `check` until it returns true, at most `attempts` times. */
export async function pollUntil(check: () => Promise<boolean>, o: PollOptions): Promise<boolean> {
  for (let i = 0; i < o.attempts; i++) {
    if (await check()) return true
    if (i < o.attempts - 1) await o.sleep(o.intervalMs)
  }
  return false
}
