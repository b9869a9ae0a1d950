/** A member that took the leader key: when its `/primary` first answered 200, and when it first said role `primary`. */
export interface Promotion {
  readonly url: string
  readonly at: number
  /** When its PostgreSQL had left recovery (Patroni 4 answers 200 with role `replica` until then); undefined if not seen. */
  readonly writableAt?: number
}

const PRIMARY_ROLES = new Set(['primary', 'master'])

/**
 * Polls every member's `GET /primary` (50 ms) and records when a member other than `from` first answers
 * 200, then polls that member until its answer says role `primary` (patroni/api.py, `do_GET`: 200 once
 * it holds the key, the body's role from PostgreSQL), so a round can tell Patroni's promotion from the
 * time a client took to follow it.
 */
export function watchPromotion(patroniUrls: readonly string[], from: string, urlOf: (name: string) => string): { wait(timeoutMs: number): Promise<Promotion | undefined>; stop(): Promise<Promotion | undefined> } {
  let found: { url: string; at: number } | undefined
  let writableAt: number | undefined
  let stopped = false
  const fromUrl = urlOf(from)
  const ask = async (url: string): Promise<{ status: number; role: string | undefined } | undefined> => {
    const res = await fetch(`${url}/primary`, { signal: AbortSignal.timeout(500) }).catch(() => undefined)
    if (res === undefined) return undefined
    const body = (await res.json().catch(() => ({}))) as { role?: string }
    return { status: res.status, role: body.role }
  }
  const loop = (async () => {
    while (!stopped && writableAt === undefined) {
      const urls = found === undefined ? patroniUrls.filter((u) => u !== fromUrl) : [found.url]
      await Promise.all(
        urls.map(async (url) => {
          const answer = await ask(url)
          if (answer?.status !== 200) return
          const at = Date.now()
          found ??= { url, at }
          if (found.url === url && PRIMARY_ROLES.has(answer.role ?? 'master')) writableAt = at
        }),
      )
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  const result = (): Promotion | undefined => (found === undefined ? undefined : { ...found, ...(writableAt === undefined ? {} : { writableAt }) })
  return {
    /** Waits until the new leader was seen writable or `timeoutMs` passed, then stops polling. */
    wait: async (timeoutMs: number) => {
      const until = Date.now() + timeoutMs
      while (writableAt === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      stopped = true
      await loop
      return result()
    },
    stop: async () => {
      stopped = true
      await loop
      return result()
    },
  }
}
