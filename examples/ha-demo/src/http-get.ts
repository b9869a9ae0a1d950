import { request } from 'node:http'

/** The answer of {@link httpGet}. */
export interface HttpAnswer {
  readonly status: number
  readonly body: string
}

/** One GET on a fresh connection; status 0 when there is no answer within `timeoutMs` or the connection fails. */
export async function httpGet(url: string, timeoutMs = 1_000): Promise<HttpAnswer> {
  return await new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode as number, body: Buffer.concat(chunks).toString('utf8') }) })
    })
    const timer = setTimeout(() => { req.destroy(); resolve({ status: 0, body: '' }) }, timeoutMs)
    req.on('error', () => { clearTimeout(timer); resolve({ status: 0, body: '' }) })
    req.end()
  })
}
