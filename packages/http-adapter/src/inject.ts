import { request as httpRequest, type Server } from 'node:http'
import { Duplex } from 'node:stream'

/**
 * A request for {@link App.inject}.
 *
 * @example
 * ```ts
 * const req: InjectRequest = { method: 'PUT', url: '/hello/ada', headers: { 'content-type': 'application/json' }, body: '{"dateOfBirth":"2000-01-01"}' }
 * ```
 */
export interface InjectRequest {
  readonly method: string
  /** Path and query, e.g. `/hello/ada?x=1`. */
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Buffer
}

/**
 * The response of {@link App.inject}.
 *
 * @example
 * ```ts
 * const res: InjectResponse = await app.inject({ method: 'GET', url: '/nope' })
 * console.log(res.status, res.headers['content-type'], res.json())
 * ```
 */
export interface InjectResponse {
  readonly status: number
  /** Lower-cased response headers. */
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
  /** `JSON.parse(body)`. */
  json(): unknown
}

/**
 * One end of an in-memory connection: what one end writes, the other reads.
 * Ending or destroying one end is seen by the other as end-of-stream, like a FIN.
 */
class MemorySocket extends Duplex {
  peer: MemorySocket | undefined
  #eofSent = false

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.peer?.push(chunk)
    callback()
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#sendEof()
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#sendEof()
    callback(error)
  }

  #sendEof(): void {
    if (!this.#eofSent) {
      this.#eofSent = true
      this.peer?.push(null)
    }
  }

  /** node:http arms its keep-alive timer through this; in memory there is nothing to time out. */
  setTimeout(): this {
    return this
  }
}

/**
 * Sends one request through `server`'s real HTTP parser over an in-memory
 * connection (no port, no TCP) and collects the response.
 */
export function inject(server: Server, request: InjectRequest): Promise<InjectResponse> {
  const client = new MemorySocket()
  const serverSide = new MemorySocket()
  client.peer = serverSide
  serverSide.peer = client
  server.emit('connection', serverSide)
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        method: request.method,
        path: request.url,
        headers: request.headers,
        createConnection: () => client,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('error', reject)
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode as number, headers: res.headers, body, json: () => JSON.parse(body) as unknown })
        })
      },
    )
    req.on('error', reject)
    req.end(request.body)
  })
}
