import t from 'tap'
import fc from 'fast-check'
import { checkedExchange, openConnections, requestHead, type CheckedOptions, type Exchange, type Step } from '../fixtures/raw-http.js'
import { startHelloServer } from '../fixtures/hello-server.js'

// Random raw requests over node:net against the real app, its node:http parser and PostgreSQL.
// Short server timeouts bound every case; each case also has its own client deadline.
// Smuggling, pipelining edge cases and header floods are in protocol-edges.ts.
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => void process.off('unhandledRejection', onUnhandled))

const hello = await startHelloServer({
  timeouts: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, keepAliveTimeoutMs: 500, connectionsCheckingIntervalMs: 100 },
})
t.teardown(() => hello.close())
const port = hello.server.port
const deadlineMs = 3_000 // above requestTimeoutMs: a case past it is a hang, not a slow answer
const numRuns = Number(process.env['HOSTILE_RUNS'] ?? 300)
const seen = new Map<string, number>()

function run(steps: readonly Step[], options: Omit<CheckedOptions, 'deadlineMs'>, label: string): Promise<Exchange> {
  return checkedExchange(port, steps, { deadlineMs, ...options }, (status) => void seen.set(`${label} ${status}`, (seen.get(`${label} ${status}`) ?? 0) + 1))
}

// ---- generators -------------------------------------------------------------------------

const hex = (bytes: Uint8Array): string => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
const pathPiece = fc.oneof(
  fc.constantFrom(
    'alice', 'bob', 'Zo%C3%AB', 'Zoe%CC%88', 'ZO%C3%8B', '%C4%B0', 'a'.repeat(64), 'a'.repeat(65), '..', '.', '%2e%2e', '%2E', '%2f', '%2F',
    '%5c', '\\', '%zz', '%c3', '%c0%af', '%e0%80%af', '%ed%a0%80', '%f4%90%80%80', '%ff', '%00', '%', '%%', '%2', '%u0041', '~', "'", '%27',
    '%22', '%3B', '%20', '+', '@', ':', ';', ',', '=', '&', '$', '!', '*', '(', ')', 'hello', 'healthz', 'metrics', '%3Fa', '%23', 'x'.repeat(300),
  ),
  fc.stringMatching(/^[A-Za-z]{1,12}$/),
  fc.uint8Array({ minLength: 1, maxLength: 6 }).map(hex),
  fc.string({ unit: 'grapheme', maxLength: 6 }).map(encodeURIComponent),
  fc.stringMatching(/^[\x21-\x7e]{1,8}$/),
)
const segment = fc.array(pathPiece, { maxLength: 3 }).map((pieces) => pieces.join(''))
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '?tz=UTC', '?tz=Europe/Berlin', '?tz=Pacific%2FKiritimati', '?tz=Mars/Olympus', '?tz=%zz', '?tz=', '?tz=%2B05:00', '?tz=system',
    '?tz=local', '?tz=utc', '?tz=../../etc/passwd', '?tz=Etc/GMT+14', '?tz=UTC&tz=UTC', '?', '??', '?tz', '?%zz=%zz', '?tz=%00', '?tz=%c3',
  ),
  segment.map((s) => `?tz=${s}`),
  segment.map((s) => `?${s}`),
)
const validName = fc.constantFrom('alice', 'Bob', 'Zo%C3%AB', 'Zoe%CC%88', '%C3%89lodie', 'a'.repeat(64), '%CE%A3%CE%BF%CF%86%CE%AF%CE%B1')
const validQuery = fc.constantFrom('', '', '?tz=UTC', '?tz=Pacific/Kiritimati', '?tz=America/New_York', '?tz=europe/berlin', '?x=1')
const target = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(validName, validQuery).map(([n, q]) => `/hello/${n}${q}`) },
  { weight: 5, arbitrary: fc.tuple(fc.constantFrom('/hello/', '/HELLO/', '/hello//', '/hello/%2e%2e/hello/', '//hello/', '/hello/./'), segment, query).map((p) => p.join('')) },
  { weight: 2, arbitrary: fc.tuple(fc.array(segment, { maxLength: 5 }), query).map(([s, q]) => `/${s.join('/')}${q}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '/healthz', '/readyz', '/metrics', '/', '*', 'http://x/hello/alice', 'http://x', 'HTTP://X/healthz', 'http://[::1]/healthz',
      'https://u:p@x:1/hello/bob?tz=UTC', 'x:y', '/healthz?x=%zz', '/%68ealthz', '/hello/alice#frag', '/hello/alice/',
    ),
  },
)
const method = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('GET', 'PUT', 'PUT', 'HEAD') },
  { weight: 3, arbitrary: fc.constantFrom('POST', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'PROPFIND', 'PURGE', 'SEARCH', 'QUERY', 'LINK', 'M-SEARCH') },
  { weight: 1, arbitrary: fc.constantFrom('get', 'Put', 'FOO', 'G ET', 'PUT/', '') },
)
const headerName = fc.oneof(
  fc.constantFrom(
    'X-Request-Id', 'Accept', 'Accept-Encoding', 'User-Agent', 'Cookie', 'Authorization', 'X-Forwarded-For', 'Content-Encoding', 'Connection',
    'Expect', 'Upgrade', 'Range', 'If-None-Match', 'Origin', 'Content-Language', 'Trailer', 'TE', 'Keep-Alive', 'Via', 'Max-Forwards', 'Host',
  ),
  fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/),
)
const headerValue = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,38}[\x21-\x7e])?$/),
  fc.constantFrom('close', 'keep-alive', 'Upgrade', '100-continue', 'gzip', 'identity', 'chunked', 'websocket', 'bytes=0-1', '*', '', 'h2c'),
)
const contentType = fc.oneof(
  { weight: 3, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      undefined, 'application/json; charset=utf-8', 'application/json;charset=UTF-16', 'application/problem+json', 'application/vnd.api+json',
      'APPLICATION/JSON', 'text/plain', 'text/json', 'multipart/form-data; boundary=xyz', 'application/x-www-form-urlencoded', 'application/json+',
      'application/+json', ' application/json ', 'application/json; charset="latin1"', '*/*', '', 'application/json, text/plain',
    ),
  },
)
const dateOfBirth = fc
  .date({ min: new Date(Date.UTC(1899, 11, 25)), max: new Date(Date.UTC(2024, 5, 20)), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10))
const body = fc.oneof(
  { weight: 6, arbitrary: dateOfBirth.map((d) => Buffer.from(JSON.stringify({ dateOfBirth: d }))) },
  { weight: 1, arbitrary: fc.integer({ min: 16_370, max: 200_000 }).map((n) => Buffer.from(`{"dateOfBirth":"${'9'.repeat(n)}"}`)) },
  { weight: 2, arbitrary: fc.json().map((j) => Buffer.from(j)) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => Buffer.from(JSON.stringify({ dateOfBirth: v }))) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '', '{}', '{"dateOfBirth":"2000-01-01"', '{"dateOfBirth":"2000-01-01\u0000"}', '{"dateOfBirth":"2000-01-01\\u0000"}',
      '\ufeff{"dateOfBirth":"2000-01-01"}', '{"__proto__":{"dateOfBirth":"2000-01-01"}}', '{"dateOfBirth":"2000-01-01","dateOfBirth":"x"}',
      '--xyz\r\nContent-Disposition: form-data; name="dateOfBirth"\r\n\r\n2000-01-01\r\n--xyz--\r\n', 'dateOfBirth=2000-01-01', 'null', '[]',
      '{"dateOfBirth":"2000-01-01"}garbage', `{"dateOfBirth":"${'9'.repeat(16_000)}"}`, 'x'.repeat(16_384), 'x'.repeat(16_385),
    ).map((s) => Buffer.from(s)),
  },
  { weight: 1, arbitrary: fc.constant(Buffer.from('{"dateOfBirth":"2000-01-01"}', 'utf16le')) },
  { weight: 1, arbitrary: fc.constant(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])) }, // {"\xc3(":1}: invalid UTF-8
)

interface RequestSpec {
  method: string
  target: string
  version: string
  headers: [string, string][]
  contentType: string | undefined
  body: Buffer
  framing: 'length' | 'chunked' | 'none'
  chunkSizes: number[]
  host: boolean
}

const requestSpec = fc.record({
  method,
  target,
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0'),
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
  contentType,
  body,
  framing: fc.constantFrom('length', 'length', 'length', 'chunked', 'none'),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 8_192 }), { minLength: 1, maxLength: 4 }),
  host: fc.integer({ min: 0, max: 9 }).map((n) => n !== 0), // mostly with Host; HTTP/1.1 without it is node's own 400
}) satisfies fc.Arbitrary<RequestSpec>

function chunked(body: Buffer, sizes: readonly number[]): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (let i = 0; at < body.length; i++) {
    const size = Math.min(sizes[i % sizes.length] as number, body.length - at)
    parts.push(Buffer.from(`${size.toString(16)}\r\n`), body.subarray(at, at + size), Buffer.from('\r\n'))
    at += size
  }
  parts.push(Buffer.from('0\r\n\r\n'))
  return Buffer.concat(parts)
}

/** A well-framed request: node's parser sees exactly one message. */
function encode(spec: RequestSpec, extraHeaders: [string, string][] = []): Buffer {
  const headers: [string, string][] = spec.host ? [['Host', 'x']] : []
  headers.push(...spec.headers.filter(([n]) => !/^(host|content-length|transfer-encoding)$/i.test(n)), ...extraHeaders)
  if (spec.contentType !== undefined) headers.push(['Content-Type', spec.contentType])
  let payload: Buffer = Buffer.alloc(0)
  if (spec.framing === 'length' || (spec.framing === 'none' && spec.body.length > 0)) {
    headers.push(['Content-Length', String(spec.body.length)])
    payload = spec.body
  } else if (spec.framing === 'chunked') {
    headers.push(['Transfer-Encoding', 'chunked'])
    payload = chunked(spec.body, spec.chunkSizes)
  }
  return Buffer.concat([Buffer.from(requestHead(spec.method, spec.target, headers, spec.version), 'latin1'), payload])
}

// ---- properties -------------------------------------------------------------------------

t.test('well-framed random requests: exactly one well-formed 2xx/4xx answer each', async (t) => {
  await fc.assert(
    fc.asyncProperty(requestSpec, async (spec) => {
      await run([encode(spec)], { allowSilentClose: false, responses: 1, methods: [spec.method] }, 'framed')
    }),
    { numRuns },
  )
  t.pass(`${String(numRuns)} random requests answered`)
})

const hostileByte = fc.constantFrom(0x00, 0x80, 0xc0, 0xc3, 0xed, 0xfe, 0xff, 0x7f, 0x1b, 0x01, 0x09, 0x20)
const slot = fc.constantFrom('path', 'query', 'header-value', 'header-name', 'body', 'method', 'version')

t.test('invalid UTF-8, NUL and control bytes in path, headers and body: still one well-formed answer', async (t) => {
  await fc.assert(
    fc.asyncProperty(requestSpec, slot, fc.array(hostileByte, { minLength: 1, maxLength: 4 }), async (spec, where, bytes) => {
      const text = String.fromCharCode(...bytes) // the head is written as latin1: one char, one byte
      const placed: RequestSpec = { ...spec, framing: spec.framing === 'none' ? 'length' : spec.framing }
      const headers: [string, string][] = []
      if (where === 'path') placed.target = `/hello/al${text}ice`
      if (where === 'query') placed.target = `/hello/alice?tz=Europe/Ber${text}lin`
      if (where === 'method') placed.method = `GE${text}T`
      if (where === 'version') placed.version = `HTTP/1${text}.1`
      if (where === 'header-value') headers.push(['X-Note', `a${text}b`])
      if (where === 'header-name') headers.push([`X-No${text}te`, 'v'])
      if (where === 'body') placed.body = Buffer.concat([Buffer.from('{"dateOfBirth":"2000-01-0'), Buffer.from(bytes), Buffer.from('1"}')])
      await run([encode(placed, headers)], { allowSilentClose: false, responses: 1, methods: [placed.method] }, `bytes-in-${where}`)
    }),
    { numRuns },
  )
  t.pass(`${String(numRuns)} requests with hostile bytes answered`)
})

t.test('mutated and truncated bytes, then half-close: answered or dropped, never a 5xx or a hang', async (t) => {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), bytes: fc.constant(new Uint8Array()) }),
    fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.array(fc.constantFrom(0x0d, 0x0a, 0x3a, 0x20, 0x00, 0xff), { minLength: 1, maxLength: 4 }).map((b) => Uint8Array.from(b)) }),
    fc.record({ kind: fc.constant('garbage' as const), at: fc.constant(0), bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }) }),
  )
  await fc.assert(
    fc.asyncProperty(requestSpec, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (spec, mutations) => {
      let bytes = encode(spec)
      for (const m of mutations) {
        const at = m.at % (bytes.length + 1)
        if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)])
        else if (m.kind === 'truncate') bytes = bytes.subarray(0, at)
        else if (m.kind === 'overwrite') bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at + m.bytes.length)])
        else bytes = Buffer.from(m.bytes)
      }
      // A half-closed connection tells node the client is gone: it answers a parse error, or drops the request.
      await run([bytes], { allowSilentClose: true, halfClose: true, methods: [spec.method, spec.method] }, 'mutated')
    }),
    { numRuns },
  )
  t.pass(`${String(numRuns)} mutated requests`)
})

t.test('pipelined requests: one answer each, in order, on one connection', async (t) => {
  let batch = 0
  const pipelined = requestSpec.map((spec) => ({ ...spec, version: 'HTTP/1.1', host: true, headers: spec.headers.filter(([n, v]) => !/^(connection|expect|x-request-id|upgrade)$/i.test(n) && v !== 'close') }))
  await fc.assert(
    fc.asyncProperty(fc.array(pipelined, { minLength: 2, maxLength: 6 }), async (specs) => {
      const ids = specs.map((_, i) => `pipe-${String(++batch)}-${String(i)}`)
      const bytes = Buffer.concat(specs.map((spec, i) => encode(spec, [['X-Request-Id', ids[i] as string]])))
      const ex = await run([bytes], { allowSilentClose: false, responses: specs.length, methods: specs.map((s) => s.method) }, 'pipelined')
      // A request node cannot parse ends the connection: with a 400, or silently when an earlier answer is still
      // being written (node's parser rejects it while the socket belongs to that answer). Either way, nothing after it.
      if (ex.responses.length < specs.length && !ex.closedByServer) throw new Error(`only ${String(ex.responses.length)} of ${String(specs.length)} answered, connection still open`)
      ex.responses.forEach((response, i) => {
        const id = response.headers.get('x-request-id')
        // Answers from node's parser (a 400 for a request it could not parse) carry no id; app answers echo it, in order.
        if (id !== undefined && id !== ids[i]) throw new Error(`response ${String(i)} has id ${id}, expected ${String(ids[i])}`)
        if (id === undefined && i !== ex.responses.length - 1) throw new Error(`a parser error answer at ${String(i)} is followed by more answers`)
      })
    }),
    { numRuns: Math.max(20, Math.round(numRuns / 3)) },
  )
  t.pass('pipelined batches answered in order')
})

t.test('after the fuzzing the server is healthy and has no connections left', async (t) => {
  const open = await openConnections(hello.server.server)
  t.equal(open, 0, 'every fuzz connection was closed')
  const health = await run(['GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'], { allowSilentClose: false }, 'final')
  t.equal(health.responses[0]?.status, 200, 'GET /healthz is still 200')
  t.comment(`statuses seen: ${JSON.stringify(Object.fromEntries([...seen].sort()))}`)
  t.strictSame(unhandled, [], 'no unhandled rejections')
})
