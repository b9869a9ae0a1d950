import t from 'tap'
import fc from 'fast-check'
import { checkedExchange, openConnections, requestHead, type CheckedOptions, type Exchange, type Step } from '../fixtures/raw-http.js'
import { startHelloServer } from '../fixtures/hello-server.js'
// Every response below is checked against openapi.json before the test sees it.
import { checkedFetch as fetch } from '../fixtures/checked-fetch.js'

// Framing and protocol edges over raw sockets against the real app: request smuggling, pipelining,
// header floods, HTTP/1.0 and the odd corners of HTTP/1.1. The random requests are in http-fuzz.ts.
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => void process.off('unhandledRejection', onUnhandled))

const hello = await startHelloServer({
  timeouts: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 500, connectionsCheckingIntervalMs: 100 },
})
t.teardown(() => hello.close())
const numRuns = Number(process.env['HOSTILE_RUNS'] ?? 300)
const seen = new Map<string, number>()

function run(steps: readonly Step[], options: Omit<CheckedOptions, 'deadlineMs'>, label: string): Promise<Exchange> {
  return checkedExchange(hello.server.port, steps, { deadlineMs: 3_000, ...options }, (status) => void seen.set(`${label} ${status}`, (seen.get(`${label} ${status}`) ?? 0) + 1))
}

const letterName = (n: number): string => `smuggled${n.toString(26).replace(/./g, (d) => String.fromCharCode(97 + parseInt(d, 26)))}`
const teValue = fc.constantFrom('chunked', 'Chunked', ' chunked', 'chunked, chunked', 'gzip, chunked', 'chunked, gzip', 'identity', 'xchunked', 'chunked\t', ',chunked', '"chunked"')
const smuggling = fc.oneof(
  fc.record({ kind: fc.constant('TE+CL' as const), te: teValue, cl: fc.nat(60), teFirst: fc.boolean() }),
  fc.record({ kind: fc.constant('two TE + CL' as const), te: teValue, te2: teValue, cl: fc.nat(60) }),
  fc.record({ kind: fc.constant('duplicate CL' as const), a: fc.nat(60), b: fc.nat(60), list: fc.boolean() }),
  fc.record({ kind: fc.constant('bad CL' as const), cl: fc.oneof(fc.constantFrom('5a', '+5', '-5', '5.0', '0x5', '', '1e3', '1 0', '99999999999999999999'), fc.stringMatching(/^[0-9]{0,3}[^0-9\r\n]{1,3}$/)) }),
  fc.record({ kind: fc.constant('bad chunk size' as const), size: fc.oneof(fc.constantFrom('zz', '-1', '0x5', '+5', ' 5', '', '5\n', 'ffffffffffffffffffff'), fc.stringMatching(/^[1-9a-f][0-9a-f]{16,39}$/) /* over 2^64, so never a valid size; leading zeros would make it one */, fc.stringMatching(/^[g-z+-]{1,4}$/)) }),
  fc.record({ kind: fc.constant('huge chunk size' as const), size: fc.stringMatching(/^[1-7][0-9a-f]{9,14}$/) }),
  fc.record({ kind: fc.constant('chunk extension flood' as const), length: fc.integer({ min: 17_000, max: 40_000 }) }),
)

t.test('request smuggling and broken framing: rejected by node\'s parser, and the smuggled request never runs', async (t) => {
  let counter = 0
  await fc.assert(
    fc.asyncProperty(smuggling, async (c) => {
      const victim = letterName(++counter)
      const smuggled = `PUT /hello/${victim} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 28\r\n\r\n{"dateOfBirth":"2000-01-01"}`
      const headers: [string, string][] = [['Host', 'x'], ['Content-Type', 'application/json']]
      let body = `0\r\n\r\n${smuggled}`
      let expected = 400
      if (c.kind === 'TE+CL') headers.push(...(c.teFirst ? [['Transfer-Encoding', c.te], ['Content-Length', String(c.cl)]] : [['Content-Length', String(c.cl)], ['Transfer-Encoding', c.te]]) as [string, string][])
      if (c.kind === 'two TE + CL') headers.push(['Transfer-Encoding', c.te], ['Transfer-Encoding', c.te2], ['Content-Length', String(c.cl)])
      if (c.kind === 'duplicate CL') headers.push(...(c.list ? [['Content-Length', `${String(c.a)}, ${String(c.b)}`]] : [['Content-Length', String(c.a)], ['Content-Length', String(c.b)]]) as [string, string][])
      if (c.kind === 'bad CL') headers.push(['Content-Length', c.cl])
      if (c.kind === 'bad chunk size' || c.kind === 'huge chunk size' || c.kind === 'chunk extension flood') headers.push(['Transfer-Encoding', 'chunked'])
      if (c.kind === 'bad chunk size') body = `${c.size}\r\n{"a":1}\r\n${body}`
      if (c.kind === 'huge chunk size') {
        // A valid but enormous chunk: the body limit answers once 16 KiB of it arrived.
        body = `${c.size}\r\n${'x'.repeat(20_000)}${smuggled}`
        expected = 413
      }
      if (c.kind === 'chunk extension flood') {
        body = `5;${'a'.repeat(c.length)}\r\n{"a":\r\n${body}`
        expected = 413
      }
      const ex = await run([requestHead('PUT', '/hello/alice', headers) + body], { allowSilentClose: false }, `smuggling ${c.kind}`)
      if (ex.responses.length !== 1 || ex.responses[0]?.status !== expected) throw new Error(`${c.kind}: answered ${ex.responses.map((r) => r.status).join()}, expected ${String(expected)} alone`)
      if (!ex.closedByServer) throw new Error(`${c.kind}: connection left open`)
      const { rows } = await hello.admin.query('SELECT 1 FROM birthdays WHERE username_key = $1', [victim])
      if (rows.length !== 0) throw new Error(`${c.kind}: the smuggled PUT /hello/${victim} ran`)
    }),
    { numRuns: Math.max(50, Math.round(numRuns / 2)) },
  )
  t.pass('every smuggling attempt was a lone 4xx')
})

function pipeline(requests: readonly (readonly [string, string, string])[], prefix: string): Buffer {
  return Buffer.from(requests.map(([m, path, b], i) => {
    const framing: [string, string][] = b === '' ? [] : [['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(b))]]
    return requestHead(m, path, [['Host', 'x'], ['X-Request-Id', `${prefix}-${String(i)}`], ...framing]) + b
  }).join(''))
}

t.test('a pipeline of valid requests: every answer, in order', async (t) => {
  t.equal((await run([pipeline([['PUT', '/hello/piper', '{"dateOfBirth":"2000-06-16"}']], 'setup')], { allowSilentClose: false, responses: 1 }, 'pipelined')).responses[0]?.status, 204)
  const requests = [
    ['GET', '/hello/piper', ''],
    ['HEAD', '/hello/piper', ''],
    ['GET', '/hello/nobody', ''],
    ['DELETE', '/hello/piper', ''],
    ['PUT', '/hello/piper', '{"dateOfBirth":"bad"}'],
    ['GET', '/healthz', ''],
  ] as const
  const ex = await run([pipeline(requests, 'valid')], { allowSilentClose: false, responses: requests.length, methods: requests.map(([m]) => m) }, 'pipelined')
  t.strictSame(ex.responses.map((r) => r.status), [200, 200, 404, 405, 400, 200])
  t.strictSame(ex.responses.map((r) => r.headers.get('x-request-id')), requests.map((_, i) => `valid-${String(i)}`))
  t.match(ex.responses[0]?.body.toString(), /Hello, piper! Your birthday is in 1 day\(s\)/)
})

t.test('a GET pipelined after a PUT sees the PUT', async (t) => {
  // RFC 9112 9.3.2: a server may process pipelined requests in parallel only if they are all safe. node emits
  // every pipelined request at once; before http-adapter 48b8fce this GET usually read the row from before the PUT.
  let stale = 0
  for (let round = 0; round < 20; round++) {
    const day = String(10 + (round % 10))
    const requests = [['PUT', '/hello/racer', `{"dateOfBirth":"2000-07-${day}"}`], ['GET', '/hello/racer', '']] as const
    const ex = await run([pipeline(requests, `race-${String(round)}`)], { allowSilentClose: false, responses: 2 }, 'pipelined')
    const days = (Date.UTC(2024, 6, Number(day)) - Date.UTC(2024, 5, 15)) / 86_400_000
    if (ex.responses[1]?.body.toString() !== JSON.stringify({ message: `Hello, racer! Your birthday is in ${String(days)} day(s)` })) stale++
  }
  t.equal(stale, 0, 'no GET read the state from before the PUT pipelined ahead of it')
})

t.test('a malformed request pipelined behind a PUT: the PUT gets its own answer, not the problem', async (t) => {
  // Before http-adapter ba5dde3 the parser's 400 went out at once and the client read it as the PUT's answer,
  // while the PUT had run. Now the PUT's 204 goes out with Connection: close, and the bad request gets nothing.
  const wrong: string[] = []
  for (let round = 0; round < 10; round++) {
    const day = String(10 + round)
    const tail = round % 2 === 0 ? 'garbage\r\n\r\n' : 'GET /hello/victim HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'
    const bytes = pipeline([['PUT', '/hello/victim', `{"dateOfBirth":"2000-07-${day}"}`]], `victim-${String(round)}`).toString() + tail
    const ex = await run([bytes], { allowSilentClose: false }, 'behind a PUT')
    const stored = await fetch(`${hello.url}/hello/victim`)
    const days = (Date.UTC(2024, 6, Number(day)) - Date.UTC(2024, 5, 15)) / 86_400_000
    const applied = ((await stored.json()) as { message?: string }).message === `Hello, victim! Your birthday is in ${String(days)} day(s)`
    const answer = ex.responses.map((r) => `${String(r.status)} ${r.headers.get('connection') ?? ''}`).join(', ')
    if (answer !== '204 close' || !applied) wrong.push(`round ${String(round)}: answered [${answer}], stored: ${String(applied)}`)
  }
  t.strictSame(wrong, [], 'each PUT was answered 204 (then the connection closed) and stored')
})

t.test('header floods', async (t) => {
  const big = await run([requestHead('GET', '/healthz', [['Host', 'x'], ['X-Big', 'a'.repeat(100_000)]])], { allowSilentClose: false }, 'flood')
  t.equal(big.responses[0]?.status, 431, 'a 100 KB header is 431')
  t.match(big.responses[0]?.body.toString(), /"code":"HTTP_HEADERS_TOO_LARGE"/)
  const many = Array.from({ length: 3_000 }, (_, i): [string, string] => [`x-${String(i)}`, 'v'])
  const flood = await run([requestHead('GET', '/healthz', [['Host', 'x'], ...many])], { allowSilentClose: false }, 'flood')
  t.equal(flood.responses[0]?.status, 431, '3000 small headers over the size limit are 431')
  const under = Array.from({ length: 500 }, (_, i): [string, string] => [`x-${String(i)}`, 'v'])
  const fine = await run([requestHead('GET', '/healthz', [['Host', 'x'], ...under])], { allowSilentClose: false, responses: 1 }, 'flood')
  t.equal(fine.responses[0]?.status, 200, '500 small headers within the limit are fine')
  const longPath = await run([requestHead('GET', `/hello/${'a'.repeat(20_000)}`, [['Host', 'x']])], { allowSilentClose: false }, 'flood')
  t.equal(longPath.responses[0]?.status, 431, 'a 20 KB request target counts against the header limit')
})

t.test('HTTP/1.0: answered, then closed unless keep-alive is asked for', async (t) => {
  const plain = await run(['GET /healthz HTTP/1.0\r\n\r\n'], { allowSilentClose: false }, 'http10')
  t.equal(plain.responses.length, 1)
  t.equal(plain.responses[0]?.status, 200)
  t.ok(plain.closedByServer, 'the server closes an HTTP/1.0 connection after the response')
  const kept = await run(['GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /hello/nobody HTTP/1.0\r\n\r\n'], { allowSilentClose: false }, 'http10')
  t.strictSame(kept.responses.map((r) => r.status), [200, 404], 'keep-alive serves the next request on the same connection')
  const put = await run(['PUT /hello/olderclient HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 28\r\n\r\n{"dateOfBirth":"2000-01-01"}'], { allowSilentClose: false }, 'http10')
  t.equal(put.responses[0]?.status, 204)
})

t.test('protocol oddities: CONNECT, Upgrade, the HTTP/2 preface, OPTIONS *, Expect', async (t) => {
  const connect = await run(['CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n'], { allowSilentClose: true }, 'odd')
  t.ok(connect.closedByServer && connect.responses.length === 0, 'CONNECT (no tunnel support): node drops the connection')
  for (const upgrade of ['websocket', 'h2c']) {
    const ex = await run([`GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\n\r\n`], { allowSilentClose: false, responses: 1 }, 'odd')
    t.equal(ex.responses[0]?.status, 200, `Upgrade: ${upgrade} is ignored, the request answered`)
  }
  const preface = await run(['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'], { allowSilentClose: false }, 'odd')
  t.equal(preface.responses[0]?.status, 400, 'the HTTP/2 preface is a 400')
  const star = await run(['OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'], { allowSilentClose: false, responses: 1 }, 'odd')
  t.equal(star.responses[0]?.status, 400, 'OPTIONS * is a 400 problem')
  const body = '{"dateOfBirth":"2000-01-01"}'
  const head = (expect: string): string => requestHead('PUT', '/hello/expecting', [['Host', 'x'], ['Content-Type', 'application/json'], ['Content-Length', String(body.length)], ['Expect', expect]])
  const continued = await run([head('100-continue') + body], { allowSilentClose: false, responses: 1 }, 'odd')
  t.strictSame([continued.interim, continued.responses.map((r) => r.status)], [[100], [204]], '100-continue: an interim 100, then the answer')
  const refused = await run([head('something-else') + body], { allowSilentClose: false, responses: 1 }, 'odd')
  t.equal(refused.responses[0]?.status, 417, 'an unknown expectation is a 417')
})

t.test('afterwards the server is healthy and has no connections left', async (t) => {
  const open = await openConnections(hello.server.server)
  t.equal(open, 0, 'every fuzz connection was closed')
  const health = await run(['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], { allowSilentClose: false }, 'final')
  t.equal(health.responses[0]?.status, 200, 'GET /healthz is still 200')
  t.comment(`statuses seen: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`)
  t.strictSame(unhandled, [], 'no unhandled rejections')
})
