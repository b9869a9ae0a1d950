import t, { type Test } from 'tap'
import fc from 'fast-check'
import type { Socket } from 'node:net'
import { exchange, requestHead, violations, type Exchange, type Step } from '../fixtures/raw-http.js'
import { startHelloServer } from '../fixtures/hello-server.js'
// Every response below is checked against openapi.json before the test sees it.
import { checkedFetch as fetch } from '../fixtures/checked-fetch.js'

// Slow, oversized and truncated clients against the real server. The timeouts are short so that
// each case takes about a second; every bound below has at least a second of slack over them.
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => void process.off('unhandledRejection', onUnhandled))

const timeouts = { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 500, connectionsCheckingIntervalMs: 100 }
const hello = await startHelloServer({ timeouts })
t.teardown(() => hello.close())
const port = hello.server.port
const slackMs = 1_500
/** node 20.20 adds a 1 s buffer to keepAliveTimeout before it closes an idle socket. */
const keepAliveBufferMs = 1_000

// The server's end of each connection, by the client's port: how much the server read is the measure of buffering.
const serverSockets = new Map<number, Socket>()
hello.server.server.on('connection', (socket: Socket) => void serverSockets.set(socket.remotePort ?? 0, socket))
const serverRead = (ex: Exchange): number => serverSockets.get(ex.localPort)?.bytesRead ?? Number.NaN

const MiB = 1_048_576
const json = [['Host', 'x'], ['Content-Type', 'application/json']] as [string, string][]
const megabytes = (n: number, chunk = 'x'.repeat(65_536)): string[] => Array.from({ length: (n * MiB) / chunk.length }, () => chunk)

function sane(t: Test, ex: Exchange, allowSilentClose: boolean): void {
  t.strictSame(violations(ex, { allowSilentClose }), [], 'well-formed 2xx/4xx answers, no hang')
}

t.test('an 8 MiB body with an honest Content-Length: 413 before it is read, connection closed', async (t) => {
  const head = requestHead('PUT', '/hello/alice', [...json, ['Content-Length', String(8 * MiB)]])
  const ex = await exchange(port, [head, ...megabytes(8)], { deadlineMs: 10_000 })
  sane(t, ex, false)
  t.equal(ex.responses[0]?.status, 413)
  t.match(ex.responses[0]?.body.toString(), /"code":"HTTP_PAYLOAD_TOO_LARGE"/)
  t.ok(ex.closedByServer, 'the server closes the connection')
  t.notOk(ex.wroteAll, 'answered while the client was still sending')
  t.ok(serverRead(ex) < MiB, `the server read ${String(serverRead(ex))} bytes of 8 MiB`)
})

t.test('an 8 MiB chunked body: 413 once the limit is passed, the rest is not read', async (t) => {
  const chunk = `10000\r\n${'x'.repeat(65_536)}\r\n`
  const ex = await exchange(port, [requestHead('PUT', '/hello/alice', [...json, ['Transfer-Encoding', 'chunked']]), ...megabytes(8, chunk)], { deadlineMs: 10_000 })
  sane(t, ex, false)
  t.equal(ex.responses[0]?.status, 413)
  t.ok(ex.closedByServer)
  t.notOk(ex.wroteAll)
  t.ok(serverRead(ex) < MiB, `the server read ${String(serverRead(ex))} bytes of 8 MiB`)
})

t.test('Content-Length shorter than an 8 MiB body: the declared bytes are the body, the rest is garbage and ends the connection', async (t) => {
  const ex = await exchange(port, [requestHead('PUT', '/hello/alice', [...json, ['Content-Length', '100']]), ...megabytes(8)], { deadlineMs: 10_000 })
  sane(t, ex, false)
  t.equal(ex.responses[0]?.status, 400)
  t.ok(ex.closedByServer)
  t.ok(serverRead(ex) < MiB, `the server read ${String(serverRead(ex))} bytes of 8 MiB`)
})

t.test('a huge body on routes that never read it: answered at once, and the connection is cut at requestTimeoutMs', async (t) => {
  const routes = [['GET', '/healthz', 200], ['PUT', '/hello/not_a_name', 400], ['POST', '/nowhere', 404]] as const
  const exchanges = await Promise.all(routes.map(([method, path]) => {
    // 1 GiB declared, sent at about 1.3 MB/s: it would take minutes. node discards it (it does not buffer) until the timeout.
    const steps: Step[] = [requestHead(method, path, [...json, ['Content-Length', String(1024 * MiB)]])]
    for (let i = 0; i < 200; i++) steps.push('x'.repeat(65_536), { pauseMs: 50 })
    return exchange(port, steps, { deadlineMs: timeouts.requestTimeoutMs + slackMs + 2_000, writeAfterResponse: true })
  }))
  exchanges.forEach((ex, i) => {
    const [method, path, status] = routes[i] as (typeof routes)[number]
    sane(t, ex, false)
    t.equal(ex.responses[0]?.status, status, `${method} ${path}`)
    t.ok((ex.responses[0]?.atMs ?? Infinity) < timeouts.requestTimeoutMs, 'answered before the body was sent')
    t.ok(ex.closedByServer && (ex.closedAtMs as number) < timeouts.requestTimeoutMs + slackMs, `cut after ${String(ex.closedAtMs)} ms`)
    t.notOk(ex.wroteAll)
    if (ex.responses.length > 1) t.equal(ex.responses[1]?.status, 408, 'the cut is announced with a 408')
  })
})

t.test('truncated: Content-Length larger than what is sent', async (t) => {
  const head = requestHead('PUT', '/hello/truncated', [...json, ['Content-Length', '100']])
  const halfClosed = await exchange(port, [head, '{"dateOfBirth":"2000-'], { deadlineMs: 5_000, halfClose: true })
  sane(t, halfClosed, true)
  t.ok(halfClosed.closedByServer, 'a half-close ends it at once')
  t.ok(halfClosed.responses.every((r) => r.status === 400), 'with a 400 or nothing')
  const waiting = await exchange(port, [head, '{"dateOfBirth":"2000-'], { deadlineMs: timeouts.requestTimeoutMs + slackMs + 2_000 })
  sane(t, waiting, true)
  t.equal(waiting.responses[0]?.status, 408, 'a client that stops sending gets a 408')
  t.ok((waiting.closedAtMs as number) < timeouts.requestTimeoutMs + slackMs, `after ${String(waiting.closedAtMs)} ms`)
  const truncatedChunked = await exchange(port, [requestHead('PUT', '/hello/truncated', [...json, ['Transfer-Encoding', 'chunked']]), '5\r\n{"dat\r\n'], { deadlineMs: 5_000, halfClose: true })
  sane(t, truncatedChunked, true)
  t.ok(truncatedChunked.closedByServer, 'a chunked body without its last chunk, then half-close: ended at once')
  const stored = await fetch(`${hello.url}/hello/truncated`)
  t.equal(stored.status, 404, 'nothing was stored from a truncated body')
})

/** A slow client: `bytes` one at a time, `intervalMs` apart; long enough to outlive every server timeout many times. */
function trickle(prefix: string, bytes: string, intervalMs: number): Step[] {
  const steps: Step[] = [prefix]
  for (const byte of bytes) steps.push({ pauseMs: intervalMs }, byte)
  return steps
}

const slowClient = fc.record({
  phase: fc.constantFrom('request line', 'headers', 'body', 'body of a route that does not read it'),
  intervalMs: fc.integer({ min: 100, max: 400 }),
  filler: fc.constantFrom('a', '0', ' ', 'x-y'),
})

t.test('slowloris: clients trickling the head or the body are cut by the timeouts (408 or close) within a bound', async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(slowClient, { minLength: 4, maxLength: 8 }), async (clients) => {
      const results = await Promise.all(
        clients.map(async (client) => {
          const forever = client.filler.repeat(Math.ceil(30_000 / client.intervalMs / client.filler.length)) // 30 s of trickling
          let steps: Step[]
          let limit: number
          if (client.phase === 'request line') {
            steps = trickle('', `GET /hello/${forever.replaceAll(' ', 'a')}`, client.intervalMs)
            limit = timeouts.headersTimeoutMs
          } else if (client.phase === 'headers') {
            steps = trickle('GET /hello/alice HTTP/1.1\r\nHost: x\r\nX-Slow: ', forever, client.intervalMs)
            limit = timeouts.headersTimeoutMs
          } else {
            const path = client.phase === 'body' ? '/hello/slowbody' : '/healthz'
            const method = client.phase === 'body' ? 'PUT' : 'GET'
            steps = trickle(requestHead(method, path, [...json, ['Content-Length', String(forever.length)]]), forever, client.intervalMs)
            limit = timeouts.requestTimeoutMs
          }
          const ex = await exchange(port, steps, { deadlineMs: limit + slackMs + 3_000, writeAfterResponse: true })
          return { client, ex, limit }
        }),
      )
      for (const { client, ex, limit } of results) {
        const label = `${client.phase} every ${String(client.intervalMs)} ms`
        const found = violations(ex, { allowSilentClose: true })
        if (found.length > 0) throw new Error(`${label}: ${found.join('; ')}`)
        if (!ex.closedByServer || (ex.closedAtMs as number) > limit + slackMs) throw new Error(`${label}: not cut in time (${String(ex.closedAtMs)} ms)`)
        const statuses = ex.responses.map((r) => r.status)
        const expected = client.phase === 'body of a route that does not read it' ? [200, 408] : [408]
        if (statuses.length > 0 && statuses.join() !== expected.join()) throw new Error(`${label}: answered ${statuses.join()}, expected ${expected.join()}`)
      }
    }),
    { numRuns: 3 },
  )
  t.pass('every slow client was cut off')
})

t.test('an idle connection is closed: before any byte at headersTimeoutMs (408), after a response at keepAliveTimeoutMs', async (t) => {
  const [silent, kept] = await Promise.all([
    exchange(port, [], { deadlineMs: timeouts.headersTimeoutMs + slackMs + 2_000 }),
    exchange(port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'], { deadlineMs: timeouts.keepAliveTimeoutMs + keepAliveBufferMs + slackMs + 2_000 }),
  ])
  sane(t, silent, true)
  t.ok(silent.closedByServer && (silent.closedAtMs as number) < timeouts.headersTimeoutMs + slackMs, `silent client cut after ${String(silent.closedAtMs)} ms`)
  t.strictSame(silent.responses.map((r) => r.status), [408])
  sane(t, kept, false)
  t.equal(kept.responses[0]?.status, 200)
  t.ok(kept.closedByServer && (kept.closedAtMs as number) < timeouts.keepAliveTimeoutMs + keepAliveBufferMs + slackMs, `idle keep-alive closed after ${String(kept.closedAtMs)} ms`)
})

t.test('a slow client within the timeouts is served', async (t) => {
  const body = '{"dateOfBirth":"2000-06-16"}'
  const head = requestHead('PUT', '/hello/patient', [...json, ['Content-Length', String(body.length)]])
  const steps: Step[] = [head.slice(0, 10), { pauseMs: 150 }, head.slice(10, 40), { pauseMs: 150 }, head.slice(40), { pauseMs: 150 }, body.slice(0, 10), { pauseMs: 150 }, body.slice(10)]
  const ex = await exchange(port, steps, { deadlineMs: 5_000, responses: 1 })
  sane(t, ex, false)
  t.equal(ex.responses[0]?.status, 204)
  t.strictSame(await (await fetch(`${hello.url}/hello/patient`)).json(), { message: 'Hello, patient! Your birthday is in 1 day(s)' })
})

t.test('afterwards the server is healthy', async (t) => {
  t.equal((await fetch(`${hello.url}/healthz`)).status, 200)
  t.strictSame(unhandled, [], 'no unhandled rejections')
})
