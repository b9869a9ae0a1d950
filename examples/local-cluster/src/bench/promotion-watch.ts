/** Polls every member's `GET /primary` (50 ms) and records when a member other than `from` first answers 200. */
export function watchPromotion(patroniUrls: readonly string[], from: string, urlOf: (name: string) => string): { wait(timeoutMs: number): Promise<{ url: string; at: number } | undefined>; stop(): Promise<{ url: string; at: number } | undefined> } {
  let found: { url: string; at: number } | undefined
  let stopped = false
  const fromUrl = urlOf(from)
  const loop = (async () => {
    while (!stopped && found === undefined) {
      await Promise.all(
        patroniUrls.filter((u) => u !== fromUrl).map(async (url) => {
          const res = await fetch(`${url}/primary`, { signal: AbortSignal.timeout(500) }).catch(() => undefined)
          await res?.body?.cancel()
          if (res?.status === 200 && found === undefined) found = { url, at: Date.now() }
        }),
      )
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  return {
    /** Waits until a promotion was seen or `timeoutMs` passed, then stops polling. */
    wait: async (timeoutMs: number) => {
      const until = Date.now() + timeoutMs
      while (found === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      stopped = true
      await loop
      return found
    },
    stop: async () => {
      stopped = true
      await loop
      return found
    },
  }
}
