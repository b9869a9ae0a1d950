import { Agent, request } from 'node:http'
import type { LoadResponse, Sender } from './load-generator.js'

/** A {@link Sender} over node:http with a keep-alive agent, and a `close()` that ends its sockets. */
export interface HttpSender {
  readonly send: Sender
  close(): void
}

/**
 * Sends the generator's requests to `baseUrl` (keep-alive, up to `maxSockets` connections, so an
 * open-loop load never queues in the client). A request that has no complete answer within its
 * `timeoutMs` is destroyed and rejects.
 *
 * @example
 * ```ts
 * const http = httpSender('http://127.0.0.1:8000')
 * const load = new LoadGenerator({ send: http.send, ratePerSecond: 100, timeoutMs: 25_000, userPrefix: 'x' })
 * ```
 */
export function httpSender(baseUrl: string, maxSockets = 4096): HttpSender {
  const agent = new Agent({ keepAlive: true, maxSockets })
  const send: Sender = async (req) => await new Promise<LoadResponse>((resolve, reject) => {
    const headers: Record<string, string> = req.body === undefined ? {} : { 'content-type': 'application/json' }
    const out = request(`${baseUrl}${req.path}`, { method: req.method, agent, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        clearTimeout(timer)
        const h = res.headers
        resolve({
          status: res.statusCode as number,
          headers: { 'content-type': h['content-type'], 'retry-after': h['retry-after'] as string | undefined },
          body: Buffer.concat(chunks).toString('utf8'),
        })
      })
      res.on('error', (err) => { clearTimeout(timer); reject(err) })
    })
    const timer = setTimeout(() => out.destroy(new Error(`no answer within ${req.timeoutMs} ms`)), req.timeoutMs)
    out.on('error', (err) => { clearTimeout(timer); reject(err) })
    out.end(req.body)
  })
  return { send, close: () => agent.destroy() }
}
