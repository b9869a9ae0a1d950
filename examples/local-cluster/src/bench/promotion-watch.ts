/** Polls every member's `GET /primary` (50 ms) and records when a member other than `from` first answers 200. */
export function watchPromotion(patroniUrls: readonly string[], from: string, urlOf: (name: string) => string): { stop(): Promise<{ url: string; at: number } | undefined> } {
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
    stop: async () => {
      stopped = true
      await loop
      return found
    },
  }
}
