/** Options of {@link assertPatroniReachable}. */
export interface PatroniProbeOptions {
  /** How long each member may take to answer; default 3000. */
  readonly timeoutMs?: number
  readonly auth?: { readonly username: string; readonly password: string }
  readonly fetch?: typeof globalThis.fetch
}

/** Why one URL did not answer: the socket error's code (ECONNREFUSED, ENOTFOUND…) or the timeout. */
function reason(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer in ${timeoutMs} ms`
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return String(cause?.code ?? cause?.message ?? (error as Error).message)
}

/**
 * Fails fast when none of PATRONI_URLS answers, with one line naming each URL and why, instead of
 * the client's long silent retry. Every Patroni member serves `GET /patroni` on its REST API
 * (https://patroni.readthedocs.io/en/latest/rest_api.html); any HTTP status counts as an answer
 * (a 401 still proves the address is right). Resolves when at least one member answered.
 */
export async function assertPatroniReachable(urls: readonly string[], options: PatroniProbeOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 3_000
  const fetch = options.fetch ?? globalThis.fetch
  const headers: Record<string, string> = options.auth
    ? { authorization: `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` }
    : {}
  const probes = urls.map(async (url) => {
    const response = await fetch(new URL('/patroni', url), { headers, signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
  })
  const results = await Promise.allSettled(probes)
  if (results.some((result) => result.status === 'fulfilled')) return
  const failures = results.map((result, i) => `${urls[i]} (${reason((result as PromiseRejectedResult).reason, timeoutMs)})`)
  throw new Error(`PATRONI_URLS: no Patroni REST API answered: ${failures.join(', ')}`)
}
