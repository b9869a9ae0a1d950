import { request } from 'node:http'
import { request as requestTls } from 'node:https'
import { LocalClusterError } from './errors.js'
import type { RestTls } from './rest-tls.js'

/** The answer of one REST call. */
export interface RestResponse {
  readonly status: number
  readonly body: string
}

/** Options of {@link restCall}. */
export interface RestCallOptions {
  readonly method?: 'GET' | 'POST' | 'OPTIONS' | 'PATCH'
  readonly body?: unknown
  readonly auth?: { readonly username: string; readonly password: string }
  /** Whole-call deadline. A frozen Patroni accepts TCP and never answers, so this is short. Default 1500 ms. */
  readonly timeoutMs?: number
  /** For `https:` URLs: the CA to trust and the client certificate to send. */
  readonly tls?: RestTls | undefined
}

/**
 * One HTTP call to a Patroni REST API, on a fresh connection (`agent: false`) so no keep-alive
 * socket outlives it. Any status resolves; network errors and the deadline reject with `LC_REST_FAILED`.
 */
export async function restCall(url: string, options: RestCallOptions = {}): Promise<RestResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
  const headers: Record<string, string> = { connection: 'close' }
  if (payload !== undefined) headers['content-type'] = 'application/json'
  if (options.auth !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`
  }
  const timeoutMs = options.timeoutMs ?? 1500
  return await new Promise<RestResponse>((resolve, reject) => {
    const { ca, cert, key } = options.tls ?? {}
    const send = url.startsWith('https:') ? requestTls : request
    const req = send(url, { method: options.method ?? 'GET', headers, agent: false, ca, cert, key }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        clearTimeout(deadline)
        resolve({ status: res.statusCode as number, body: Buffer.concat(chunks).toString('utf8') })
      })
    })
    const fail = (err: Error): void => {
      clearTimeout(deadline)
      req.destroy()
      reject(new LocalClusterError('LC_REST_FAILED', `${options.method ?? 'GET'} ${url}: ${err.message}`, { cause: err }))
    }
    const deadline = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    req.on('error', fail)
    req.end(payload)
  })
}

/** A member as Patroni 3.0.2's `GET /cluster` lists it. */
export interface PatroniClusterMember {
  readonly name: string
  readonly role: string
  readonly state: string
  readonly api_url: string
  readonly host: string
  readonly port: number
  readonly timeline?: number
  readonly lag?: number | string
}

/** `GET /cluster` from the first of `urls` that answers 200. Throws `LC_REST_FAILED` when none does. */
export async function getClusterMembers(urls: readonly string[], timeoutMs = 1500, tls?: RestTls): Promise<PatroniClusterMember[]> {
  const errors: string[] = []
  for (const url of urls) {
    try {
      const res = await restCall(`${url}/cluster`, { timeoutMs, tls })
      if (res.status === 200) return (JSON.parse(res.body) as { members: PatroniClusterMember[] }).members
      errors.push(`${url}: HTTP ${res.status}`)
    } catch (err) {
      errors.push((err as Error).message)
    }
  }
  throw new LocalClusterError('LC_REST_FAILED', `no Patroni answered GET /cluster: ${errors.join('; ')}`)
}

/** The HTTP status of `GET <url><path>`, or 0 when the node does not answer in time. */
export async function probe(url: string, path: string, timeoutMs = 1000, tls?: RestTls): Promise<number> {
  try {
    return (await restCall(`${url}${path}`, { timeoutMs, tls })).status
  } catch {
    return 0
  }
}
