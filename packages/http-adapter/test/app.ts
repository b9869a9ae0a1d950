import t from 'tap'
import { Registry } from 'prom-client'
import { createApp } from '../src/app.js'
import type { Route } from '../src/route.js'
import { HttpError } from '../src/errors.js'
import { captureLogger } from './fixtures/capture-logger.js'

/** Generated ids: a 12-hex-digit per-process prefix and a base-36 counter. */
const generatedId = /^[0-9a-f]{12}-[0-9a-z]+$/

function setup(routes: Route[], extra: { readiness?: () => Promise<boolean>; readinessTimeoutMs?: number; bodyLimitBytes?: number } = {}) {
  const { logger, lines } = captureLogger()
  const app = createApp({ routes, logger, registry: new Registry(), ...extra })
  return { app, lines }
}

const hello: Route = {
  method: 'GET',
  path: '/hello/:username',
  handler: (ctx) => ({ status: 200, body: { message: `Hello, ${ctx.params['username'] ?? ''}!` } }),
}

t.test('GET a param route: JSON body, content type and length, request id', async (t) => {
  const { app } = setup([hello])
  const res = await app.inject({ method: 'GET', url: '/hello/ad%C3%A9?x=1' })
  t.equal(res.status, 200)
  t.strictSame(res.json(), { message: 'Hello, adé!' })
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)))
  t.match(res.headers['x-request-id'], generatedId)
})

t.test('HEAD runs the GET handler and sends headers only', async (t) => {
  let calls = 0
  const { app, lines } = setup([{ ...hello, handler: (ctx) => { calls++; return hello.handler(ctx) } }])
  const get = await app.inject({ method: 'GET', url: '/hello/ada' })
  const head = await app.inject({ method: 'HEAD', url: '/hello/ada' })
  t.equal(calls, 2)
  t.equal(head.status, 200)
  t.equal(head.body, '')
  t.equal(head.headers['content-length'], get.headers['content-length'])
  t.equal(lines.find((l) => l['method'] === 'HEAD')?.['route'], '/hello/:username')
})

t.test('an explicit HEAD route wins over the GET fallback', async (t) => {
  const { app } = setup([hello, { method: 'HEAD', path: '/hello/:username', handler: () => ({ status: 204, headers: { 'x-head': '1' } }) }])
  const res = await app.inject({ method: 'HEAD', url: '/hello/ada' })
  t.equal(res.status, 204)
  t.equal(res.headers['x-head'], '1')
})

t.test('unknown path → 404 problem, route label (unmatched)', async (t) => {
  const { app, lines } = setup([hello])
  const res = await app.inject({ method: 'GET', url: '/nope' })
  t.equal(res.status, 404)
  t.equal(res.headers['content-type'], 'application/problem+json')
  t.strictSame(res.json(), { type: 'about:blank', title: 'Not Found', status: 404, detail: 'No route matches the path.', code: 'HTTP_NOT_FOUND' })
  t.match(lines.at(-1), { msg: 'request completed', route: '(unmatched)', status: 404 })
})

t.test('known path, wrong method → 405 with Allow', async (t) => {
  const { app } = setup([hello, { method: 'PUT', path: '/hello/:name', handler: () => ({ status: 204 }) }])
  const res = await app.inject({ method: 'DELETE', url: '/hello/ada' })
  t.equal(res.status, 405)
  t.equal(res.headers['allow'], 'GET, HEAD, OPTIONS, PUT')
  t.match(res.json(), { code: 'HTTP_METHOD_NOT_ALLOWED', status: 405 })
})

t.test('OPTIONS → 204 with Allow, no body; an explicit OPTIONS route wins', async (t) => {
  const { app } = setup([hello, { method: 'OPTIONS', path: '/custom', handler: () => ({ status: 200, body: { custom: true } }) }])
  const res = await app.inject({ method: 'OPTIONS', url: '/hello/ada' })
  t.equal(res.status, 204)
  t.equal(res.headers['allow'], 'GET, HEAD, OPTIONS')
  t.equal(res.body, '')
  t.equal(res.headers['content-length'], undefined, 'no Content-Length on a 204')
  t.strictSame((await app.inject({ method: 'OPTIONS', url: '/custom' })).json(), { custom: true })
})

t.test('empty responses: 204 without length, others with Content-Length: 0, no content type', async (t) => {
  const { app } = setup([
    { method: 'DELETE', path: '/x', handler: () => ({ status: 204 }) },
    { method: 'POST', path: '/x', handler: () => ({ status: 202 }) },
  ])
  const deleted = await app.inject({ method: 'DELETE', url: '/x' })
  t.equal(deleted.status, 204)
  t.equal(deleted.headers['content-length'], undefined)
  t.equal(deleted.headers['content-type'], undefined)
  const accepted = await app.inject({ method: 'POST', url: '/x' })
  t.equal(accepted.status, 202)
  t.equal(accepted.headers['content-length'], '0')
})

t.test('handler headers are passed through, lower-cased, and may override the content type', async (t) => {
  const { app } = setup([{
    method: 'GET', path: '/x',
    handler: () => ({ status: 201, body: 'text', headers: { 'Cache-Control': 'max-age=60', 'Content-Type': 'application/vnd.x+json' } }),
  }])
  const res = await app.inject({ method: 'GET', url: '/x' })
  t.equal(res.status, 201)
  t.equal(res.headers['cache-control'], 'max-age=60')
  t.equal(res.headers['content-type'], 'application/vnd.x+json')
  t.equal(res.body, '"text"', 'strings are JSON-serialized too')
})

t.test('async handlers and sync handlers both work', async (t) => {
  const { app } = setup([{ method: 'GET', path: '/a', handler: async () => { await new Promise((r) => setTimeout(r, 5)); return { status: 200, body: { a: 1 } } } }])
  t.strictSame((await app.inject({ method: 'GET', url: '/a' })).json(), { a: 1 })
})

t.test('HttpError from a handler → its problem, headers passed through, 5xx logged at warn', async (t) => {
  const { app, lines } = setup([{
    method: 'GET', path: '/down',
    handler: () => { throw new HttpError(503, { code: 'HELLO_DB_DOWN', detail: 'later', headers: { 'Retry-After': '5' } }) },
  }, {
    method: 'GET', path: '/conflict', handler: async () => { throw new HttpError(409, { code: 'HELLO_CONFLICT' }) },
  }])
  const res = await app.inject({ method: 'GET', url: '/down' })
  t.equal(res.status, 503)
  t.equal(res.headers['retry-after'], '5')
  t.strictSame(res.json(), { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'later', code: 'HELLO_DB_DOWN' })
  t.match(lines, [{ level: 'warn', msg: 'request failed', route: '/down', err: { code: 'HELLO_DB_DOWN' } }, { level: 'info', status: 503 }])
  const conflict = await app.inject({ method: 'GET', url: '/conflict' })
  t.equal(conflict.status, 409)
  t.equal(lines.filter((l) => l['level'] === 'warn').length, 1, '4xx is not logged beyond the access log')
})

t.test('unexpected errors and non-Error throws → generic 500, logged with the error', async (t) => {
  const thrown: unknown[] = [new Error('secret db password'), 'a string', 42, null, undefined, { weird: true }]
  for (const value of thrown) {
    const { app, lines } = setup([{ method: 'GET', path: '/boom', handler: () => { throw value } }])
    const res = await app.inject({ method: 'GET', url: '/boom' })
    t.equal(res.status, 500)
    t.strictSame(res.json(), { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred.', code: 'HTTP_INTERNAL' })
    t.notMatch(res.body, /secret|at /)
    t.match(lines[0], { level: 'error', msg: 'unhandled error', route: '/boom', method: 'GET' })
  }
  const { app, lines } = setup([{ method: 'GET', path: '/boom', handler: async () => { throw new Error('secret') } }])
  await app.inject({ method: 'GET', url: '/boom' })
  t.match(lines[0], { err: { type: 'Error', message: 'secret', stack: /Error: secret/ } }, 'the log has the real error')
})

t.test('invalid handler results are programmer errors → 500', async (t) => {
  const results: unknown[] = [undefined, null, 'ok', { status: 99 }, { status: 600 }, { status: 200.5 }, { body: 1 }, { status: 200, body: () => 1 }, { status: 200, body: 10n }]
  for (const result of results) {
    const { app, lines } = setup([{ method: 'GET', path: '/x', handler: () => result as never }])
    const res = await app.inject({ method: 'GET', url: '/x' })
    t.equal(res.status, 500, String(JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? 'bigint' : v))))
    t.match(lines[0], { level: 'error', err: { type: /TypeError/ } })
  }
})

t.test('invalid header values from a handler → 500 before anything is written', async (t) => {
  const { app, lines } = setup([{ method: 'GET', path: '/x', handler: () => ({ status: 200, body: {}, headers: { 'x-bad': 'a\nb' } }) }])
  const res = await app.inject({ method: 'GET', url: '/x' })
  t.equal(res.status, 500)
  t.equal(res.headers['x-bad'], undefined)
  t.match(lines[0], { level: 'error', err: { code: 'ERR_INVALID_CHAR' } })
  t.match(lines[1], { msg: 'request completed', status: 500 })
  t.equal(lines.length, 2, 'exactly one access log line')
})

t.test('invalid headers on an HttpError → 500 too', async (t) => {
  const { app } = setup([{ method: 'GET', path: '/x', handler: () => { throw new HttpError(503, { headers: { 'Retry-After': 'a\r\nb' } }) } }])
  t.equal((await app.inject({ method: 'GET', url: '/x' })).status, 500)
})

t.test('request ids: well-formed incoming ids are echoed, others replaced', async (t) => {
  const { app, lines } = setup([hello])
  const good = ['abc-123', 'Root=1-67891233-abcdef012345678912345678', 'a'.repeat(128), 'x.y:z/w+v=@_']
  for (const id of good) {
    const res = await app.inject({ method: 'GET', url: '/hello/a', headers: { 'x-request-id': id } })
    t.equal(res.headers['x-request-id'], id)
  }
  t.equal(lines.at(-1)?.['reqId'], good.at(-1))
  for (const id of ['', 'a'.repeat(129), 'has space', 'quote"', '<script>']) {
    const res = await app.inject({ method: 'GET', url: '/hello/a', headers: { 'x-request-id': id } })
    t.match(res.headers['x-request-id'], generatedId, JSON.stringify(id))
  }
})

t.test('access log: info line with the fields, never the query, body or secrets', async (t) => {
  const { app, lines } = setup([{ method: 'POST', path: '/login/:user', handler: async (ctx) => { await ctx.json(); return { status: 204 } } }])
  await app.inject({
    method: 'POST',
    url: '/login/ada?token=s3cr3t',
    headers: { authorization: 'Bearer t0ken', cookie: 'sid=c00kie', 'content-type': 'application/json' },
    body: '{"password":"hunter2"}',
  })
  t.equal(lines.length, 1)
  t.strictSame(Object.keys(lines[0] ?? {}), ['time', 'level', 'msg', 'reqId', 'method', 'route', 'status', 'duration_ms'])
  t.match(lines[0], { level: 'info', msg: 'request completed', method: 'POST', route: '/login/:user', status: 204, duration_ms: Number })
  t.notMatch(JSON.stringify(lines), /s3cr3t|t0ken|c00kie|hunter2|ada/)
})

t.test('ctx: method, path, params, query (lazy), headers, route, log with reqId', async (t) => {
  const { app, lines } = setup([{
    method: 'GET', path: '/users/:id/posts/:postId',
    handler: (ctx) => {
      ctx.log.info({ n: 1 }, 'inside')
      t.equal(ctx.log, ctx.log, 'the child logger is created once')
      t.equal(ctx.query, ctx.query, 'the query is parsed once')
      return { status: 200, body: { method: ctx.method, path: ctx.path, params: ctx.params, q: ctx.query.getAll('q'), ua: ctx.headers['user-agent'], route: ctx.route, id: ctx.requestId } }
    },
  }, { method: 'GET', path: '/plain', handler: (ctx) => ({ status: 200, body: { params: ctx.params, q: [...ctx.query] } }) }])
  const res = await app.inject({ method: 'GET', url: '/users/7/posts/a%20b?q=1&q=2', headers: { 'user-agent': 'tap', 'x-request-id': 'rid-1' } })
  t.strictSame(res.json(), { method: 'GET', path: '/users/7/posts/a b', params: { id: '7', postId: 'a b' }, q: ['1', '2'], ua: 'tap', route: '/users/:id/posts/:postId', id: 'rid-1' })
  t.match(lines[0], { msg: 'inside', reqId: 'rid-1', n: 1 })
  t.strictSame((await app.inject({ method: 'GET', url: '/plain' })).json(), { params: {}, q: [] })
})

t.test('malformed percent-encoding in the path → 400 problem', async (t) => {
  const { app } = setup([hello])
  const res = await app.inject({ method: 'GET', url: '/hello/%E0%A4%A' })
  t.equal(res.status, 400)
  t.match(res.json(), { code: 'HTTP_BAD_REQUEST' })
})

t.test('absolute-form targets are routed by their path; other targets → 400', async (t) => {
  const { app } = setup([hello])
  const res = await app.inject({ method: 'GET', url: 'http://example.com/hello/ada?x=1' })
  t.equal(res.status, 200)
  t.strictSame(res.json(), { message: 'Hello, ada!' })
  const star = await app.inject({ method: 'OPTIONS', url: '*' })
  t.equal(star.status, 400)
  t.match(star.json(), { code: 'HTTP_BAD_REQUEST' })
})

t.test('draining: flag, Connection: close on every response', async (t) => {
  const { app } = setup([hello])
  t.equal(app.draining, false)
  app.startDraining()
  app.startDraining()
  t.equal(app.draining, true)
  const ok = await app.inject({ method: 'GET', url: '/hello/a', headers: { connection: 'keep-alive' } })
  t.equal(ok.headers['connection'], 'close')
  const missing = await app.inject({ method: 'GET', url: '/nope', headers: { connection: 'keep-alive' } })
  t.equal(missing.headers['connection'], 'close')
})

t.test('not draining: keep-alive is left to node', async (t) => {
  const { app } = setup([hello])
  const res = await app.inject({ method: 'GET', url: '/hello/a', headers: { connection: 'keep-alive' } })
  t.equal(res.headers['connection'], 'keep-alive')
})

t.test('options are validated', async (t) => {
  t.throws(() => createApp({ routes: [], bodyLimitBytes: 0, registry: new Registry() }), RangeError)
  t.throws(() => createApp({ routes: [], readinessTimeoutMs: 1.5, registry: new Registry() }), RangeError)
  t.throws(() => createApp({ routes: [{ method: 'GET', path: '/healthz', handler: () => ({ status: 200 }) }], registry: new Registry() }), TypeError, 'built-in paths are taken')
})

t.test('defaults: own registry with process metrics, stdout logger', async (t) => {
  const written: string[] = []
  const original = process.stdout.write.bind(process.stdout)
  const intercept = t.intercept(process.stdout, 'write', { value: (chunk: string) => (String(chunk).startsWith('{"time":') ? written.push(chunk) > 0 : original(chunk)) })
  const app = createApp({ routes: [hello] })
  await app.inject({ method: 'GET', url: '/hello/a' })
  await new Promise((r) => setImmediate(r))
  intercept.restore()
  t.match(JSON.parse(written[0] ?? '{}'), { level: 'info', msg: 'request completed' })
  t.ok(app.registry.getSingleMetric('process_cpu_user_seconds_total'), 'default metrics are collected')
})
