import t from 'tap'
import { once } from 'node:events'
import { Agent, createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import { Registry } from 'prom-client'
import { createApp, type App } from '../../src/app.js'
import type { Route } from '../../src/route.js'
import { HttpError } from '../../src/errors.js'
import { serve, type RunningServer } from '../../src/serve.js'
import { captureLogger } from '../fixtures/capture-logger.js'
import { raw, send } from '../fixtures/http-client.js'

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason)
}
process.on('unhandledRejection', onUnhandled)
t.teardown(() => {
  process.off('unhandledRejection', onUnhandled)
})

const events: string[] = []
let released: () => void = () => {}
const routes: Route[] = [
  { method: 'GET', path: '/hello/:username', handler: (ctx) => ({ status: 200, body: { hello: ctx.params['username'] } }) },
  {
    method: 'POST',
    path: '/echo',
    handler: async (ctx) => {
      try {
        return { status: 200, body: await ctx.json() }
      } catch (err) {
        events.push(`json rejected ${String((err as HttpError).status)} ${(err as HttpError).code}`)
        throw err
      }
    },
  },
  {
    method: 'GET',
    path: '/wait',
    handler: async () => {
      await new Promise<void>((resolve) => (released = resolve))
      return { status: 200, body: { late: true } }
    },
  },
]

async function start(options: { headersTimeoutMs?: number; requestTimeoutMs?: number } = {}): Promise<{ app: App; running: RunningServer; lines: Record<string, unknown>[] }> {
  const { logger, lines } = captureLogger()
  const app = createApp({ routes, logger, registry: new Registry(), bodyLimitBytes: 1024 })
  const running = await serve(app, { port: 0, signals: false, drainDelayMs: 0, logger, connectionsCheckingIntervalMs: 50, ...options })
  t.teardown(() => running.close())
  return { app, running, lines }
}

const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 5))
}

t.test('the same app answers over a real socket, with keep-alive', async (t) => {
  const { running } = await start()
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const first = await send(`${running.url}/hello/ada`, { agent })
  const second = await send(`${running.url}/hello/bob`, { agent })
  t.strictSame([first.status, second.status], [200, 200])
  t.strictSame(second.body, '{"hello":"bob"}')
  t.equal(second.headers['connection'], 'keep-alive')
  const head = await send(`${running.url}/hello/ada`, { method: 'HEAD' })
  t.equal(head.body, '')
  t.equal(head.headers['content-length'], first.headers['content-length'])
})

t.test('Content-Length over the limit → 413 at once, nothing read, connection closed', async (t) => {
  const { running } = await start()
  const reply = await raw(running.port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n')
  t.match(reply, /^HTTP\/1\.1 413 /)
  t.match(reply, /\r\nconnection: close\r\n/i)
  t.match(reply, /"code":"HTTP_PAYLOAD_TOO_LARGE"/)
  t.strictSame(events.splice(0), ['json rejected 413 HTTP_PAYLOAD_TOO_LARGE'])
})

t.test('a chunked body over the limit → 413 while the client is still sending, then the connection closes', async (t) => {
  const { running } = await start()
  const socket = connect(running.port, '127.0.0.1')
  let received = ''
  socket.on('data', (c: Buffer) => (received += c.toString()))
  socket.on('error', () => {})
  socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')
  const chunk = 'x'.repeat(800)
  socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)
  socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)
  // No terminating chunk: the body never ends, yet the answer comes.
  await once(socket, 'close')
  t.match(received, /^HTTP\/1\.1 413 /)
  t.match(received, /\r\nconnection: close\r\n/i)
  t.strictSame(events.splice(0), ['json rejected 413 HTTP_PAYLOAD_TOO_LARGE'])
})

t.test('client aborts mid-body: json() rejects, no crash, no unhandled rejection', async (t) => {
  const { running, lines } = await start()
  const socket = connect(running.port, '127.0.0.1')
  socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":')
  await new Promise((r) => setTimeout(r, 50))
  socket.destroy()
  await until(() => events.length > 0)
  t.strictSame(events.splice(0), ['json rejected 400 HTTP_BAD_REQUEST'])
  await until(() => lines.some((l) => l['msg'] === 'request completed'))
  t.match(lines.find((l) => l['msg'] === 'request completed'), { status: 400, route: '/echo' })
  t.equal((await send(`${running.url}/hello/still-up`)).status, 200, 'the server is still up')
})

t.test('responding after the client disconnected does not crash', async (t) => {
  const { running, lines } = await start()
  const socket = connect(running.port, '127.0.0.1')
  socket.write('GET /wait HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((r) => setTimeout(r, 50))
  socket.destroy()
  await new Promise((r) => setTimeout(r, 50))
  released()
  await until(() => lines.some((l) => l['route'] === '/wait'))
  t.match(lines.find((l) => l['route'] === '/wait'), { msg: 'request completed', status: 200 })
  t.equal((await send(`${running.url}/hello/still-up`)).status, 200)
})

t.test('malformed HTTP → 400 problem+json instead of a silent drop', async (t) => {
  const { running } = await start()
  const reply = await raw(running.port, 'GET /hello/a HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n')
  t.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/)
  t.match(reply, /Content-Type: application\/problem\+json/)
  t.match(reply, /"code":"HTTP_BAD_REQUEST"/)
})

t.test('oversized headers → 431', async (t) => {
  const { running } = await start()
  const reply = await raw(running.port, `GET /hello/a HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
  t.match(reply, /^HTTP\/1\.1 431 /)
  t.match(reply, /"code":"HTTP_HEADERS_TOO_LARGE"/)
})

t.test('headers not received within headersTimeoutMs → 408', async (t) => {
  const { running } = await start({ headersTimeoutMs: 200 })
  const reply = await raw(running.port, 'GET /hello/a HTTP/1.1\r\nHost: x\r\n')
  t.match(reply, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  t.match(reply, /"code":"HTTP_REQUEST_TIMEOUT"/)
})

t.test('body not received within requestTimeoutMs → 408; the waiting json() rejects', async (t) => {
  const { running } = await start({ headersTimeoutMs: 200, requestTimeoutMs: 300 })
  const reply = await raw(running.port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":')
  t.match(reply, /^HTTP\/1\.1 408 Request Timeout\r\n/)
  await until(() => events.length > 0)
  t.strictSame(events.splice(0), ['json rejected 400 HTTP_BAD_REQUEST'])
})

t.test('res.headersSent: when a response already started, the connection is cut and the error logged', async (t) => {
  const { logger, lines } = captureLogger()
  const app = createApp({ routes, logger, registry: new Registry() })
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-length': '100' })
    res.write('partial')
    app.handle(req, res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => server.close())
  const port = (server.address() as { port: number }).port
  const outcome = await send(`http://127.0.0.1:${String(port)}/hello/a`).then(() => 'complete', (err: unknown) => (err as NodeJS.ErrnoException).code)
  t.equal(outcome, 'ECONNRESET')
  t.match(lines, [{ level: 'error', msg: 'unhandled error', err: { code: 'ERR_HTTP_HEADERS_SENT' } }, { msg: 'request completed', status: 500 }])
})

t.test('no unhandled rejections happened in this file', async (t) => {
  t.strictSame(unhandled, [])
})
