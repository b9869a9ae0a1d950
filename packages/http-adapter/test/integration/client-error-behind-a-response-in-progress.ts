import t from 'tap'
import { connect } from 'node:net'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { Registry } from 'prom-client'
import { createApp } from '../../src/app.js'
import type { Route } from '../../src/route.js'
import { serve } from '../../src/serve.js'
import { captureLogger } from '../fixtures/capture-logger.js'
import { raw } from '../fixtures/http-client.js'

// Regression: a malformed request pipelined behind a valid one that was still being answered got its
// 400 written to the socket at once, so the client read that 400 as the answer to the valid request,
// which had run (found by the hello-service hostile suite: a PUT answered 400 was stored). The same for
// a 408 when a later request was slow. Now the earlier answer is sent, with Connection: close.

const store = new Map<string, string>()
const routes: Route[] = [
  {
    method: 'PUT',
    path: '/value/:key',
    handler: async (ctx) => {
      const body = (await ctx.json()) as { value: string; delayMs?: number }
      await sleep(body.delayMs ?? 30) // a slow write, e.g. a database round trip
      store.set(ctx.params['key'] as string, body.value)
      return { status: 204 }
    },
  },
]
const { logger, lines } = captureLogger()
const app = createApp({ routes, logger, registry: new Registry() })
const running = await serve(app, { port: 0, signals: false, drainDelayMs: 0, logger, headersTimeoutMs: 200, requestTimeoutMs: 300, connectionsCheckingIntervalMs: 50 })
t.teardown(() => running.close())

function put(key: string, value: string, delayMs = 30): string {
  const body = JSON.stringify({ value, delayMs })
  return `PUT /value/${key} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${String(body.length)}\r\n\r\n${body}`
}

t.test('garbage pipelined behind a PUT in progress: the PUT gets its own answer, then the connection closes', async (t) => {
  lines.length = 0
  const reply = await raw(running.port, put('a', 'stored') + 'NOT HTTP AT ALL\r\n\r\n')
  t.match(reply, /^HTTP\/1\.1 204 No Content\r\n/, 'the first answer is the PUT\'s')
  t.match(reply, /\r\nConnection: close\r\n/i)
  t.notMatch(reply, /HTTP\/1\.1 400/, 'no 400 that the client would take for the PUT\'s answer')
  t.equal(store.get('a'), 'stored')
  t.match(lines, [{ level: 'debug', msg: 'client error behind a response in progress: closing after it', err: { code: 'HPE_INVALID_METHOD' } }])
})

t.test('more garbage while waiting changes nothing; a slow request behind a PUT gets no 408 in its place', async (t) => {
  const socket = connect(running.port, '127.0.0.1')
  let received = ''
  socket.on('data', (c: Buffer) => (received += c.toString()))
  socket.on('error', () => {})
  socket.write(put('b', 'kept') + 'GARBAGE')
  await sleep(10)
  socket.write(' MORE GARBAGE\r\n\r\n') // the parser reports its error again for each chunk
  await once(socket, 'close')
  t.match(received, /^HTTP\/1\.1 204 /)
  t.equal([...received.matchAll(/HTTP\/1\.1/g)].length, 1, 'one answer only')
  t.equal(store.get('b'), 'kept')

  // A PUT slower than the headers timeout, then the head of a second request that never ends: the timeout
  // fires while the PUT is still being answered. That 408 would be read as the PUT's answer.
  const slow = await raw(running.port, put('c', 'late', 500) + 'GET /value/c HTTP/1.1\r\nHost: x\r\n')
  t.match(slow, /^HTTP\/1\.1 204 /)
  t.equal(store.get('c'), 'late')
})

t.test('a request on its own still gets the problem at once', async (t) => {
  t.match(await raw(running.port, 'NOT HTTP\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/)
  t.match(await raw(running.port, 'GET /value/x HTTP/1.1\r\nHost: x\r\n'), /^HTTP\/1\.1 408 /)
})
