import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

/** What an `https:` member is asked with: PATRONI_CA_FILE, PATRONI_CERT_FILE, PATRONI_KEY_FILE's contents. */
export interface PatroniProbeTls {
  readonly ca?: Buffer
  readonly cert?: Buffer
  readonly key?: Buffer
}

/** Options of {@link assertPatroniReachable}. */
export interface PatroniProbeOptions {
  /** How long each member may take to answer; default 3000. */
  readonly timeoutMs?: number
  readonly tls?: PatroniProbeTls
  /** One `GET`, resolving on any HTTP answer; injected by tests. Default: node:http / node:https. */
  readonly get?: (url: URL, tls: PatroniProbeTls | undefined, timeoutMs: number) => Promise<void>
}

/** A GET on a fresh connection that resolves on any answer and fails after `timeoutMs` ("no answer in … ms"). */
function get(url: URL, tls: PatroniProbeTls | undefined, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    // read field by field: the key is non-enumerable (config.ts)
    const req = send(url, { agent: false, ca: tls?.ca, cert: tls?.cert, key: tls?.key }, (res) => {
      clearTimeout(timer)
      res.resume()
      resolve()
    })
    const timer = setTimeout(() => req.destroy(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)
    req.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    req.end()
  })
}

/**
 * Why one URL did not answer: the socket or TLS error's code (ECONNREFUSED, ENOTFOUND,
 * SELF_SIGNED_CERT_IN_CHAIN…), the timeout, or what to set when the member wants a client certificate.
 */
function reason(error: unknown): string {
  const code = (error as { code?: string }).code
  // Patroni's verify_client: required (ssl.CERT_REQUIRED, patroni/api.py) answers a handshake without one with this TLS 1.3 alert
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') return 'a client certificate is required: set PATRONI_CERT_FILE and PATRONI_KEY_FILE'
  return code ?? (error as Error).message
}

/**
 * Fails fast when none of PATRONI_URLS answers, with one line naming each URL and why, instead of
 * the client's long silent retry. Every Patroni member serves `GET /patroni` on its REST API
 * (https://patroni.readthedocs.io/en/latest/rest_api.html) without asking for credentials (only its
 * unsafe endpoints do), so none are sent; any HTTP status counts as an answer. With `https:` members
 * the CA and client certificate go along: `verify_client: required` wants one at the handshake.
 */
export async function assertPatroniReachable(urls: readonly string[], options: PatroniProbeOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 3_000
  const probe = options.get ?? get
  const results = await Promise.allSettled(urls.map(async (url) => await probe(new URL('/patroni', url), options.tls, timeoutMs)))
  if (results.some((result) => result.status === 'fulfilled')) return
  const failures = results.map((result, i) => `${urls[i]} (${reason((result as PromiseRejectedResult).reason)})`)
  throw new Error(`PATRONI_URLS: no Patroni REST API answered: ${failures.join(', ')}`)
}
