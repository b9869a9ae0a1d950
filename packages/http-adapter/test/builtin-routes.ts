import t from 'tap'
import { Registry } from 'prom-client'
import { createApp, type AppOptions } from '../src/app.js'
import { captureLogger } from './fixtures/capture-logger.js'

function setup(options: Partial<AppOptions> = {}) {
  const { logger, lines } = captureLogger()
  const app = createApp({ routes: [], logger, registry: new Registry(), ...options })
  return { app, lines }
}

t.test('GET /healthz → 200 {"status":"ok"}, not cached, logged at debug', async (t) => {
  const { app, lines } = setup()
  const res = await app.inject({ method: 'GET', url: '/healthz' })
  t.equal(res.status, 200)
  t.strictSame(res.json(), { status: 'ok' })
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(lines, [{ level: 'debug', msg: 'request completed', route: '/healthz', status: 200 }])
  app.startDraining()
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).status, 200, 'liveness stays 200 while draining')
})

t.test('GET /readyz without a check → 200 {"status":"ready"}', async (t) => {
  const res = await setup().app.inject({ method: 'GET', url: '/readyz' })
  t.equal(res.status, 200)
  t.strictSame(res.json(), { status: 'ready' })
})

t.test('GET /readyz runs the check', async (t) => {
  let ready = true
  const { app } = setup({ readiness: async () => ready })
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).status, 200)
  ready = false
  const res = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(res.status, 503)
  t.equal(res.headers['cache-control'], 'no-store')
  t.strictSame(res.json(), { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'The readiness check failed.', code: 'HTTP_NOT_READY' })
})

t.test('only `true` is ready', async (t) => {
  const { app } = setup({ readiness: async () => 'yes' as unknown as boolean })
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).status, 503)
})

t.test('a throwing check (async or sync) → 503, logged at warn with the error', async (t) => {
  for (const readiness of [async () => { throw new Error('db down') }, () => { throw new Error('db down') }]) {
    const { app, lines } = setup({ readiness })
    const res = await app.inject({ method: 'GET', url: '/readyz' })
    t.equal(res.status, 503)
    t.match(res.json(), { detail: 'The readiness check failed.', code: 'HTTP_NOT_READY' })
    t.notMatch(res.body, /db down/)
    t.match(lines[0], { level: 'warn', msg: 'readiness check threw', err: { message: 'db down' } })
  }
})

t.test('a slow check → 503 after readinessTimeoutMs; its late rejection is harmless', async (t) => {
  let rejectLate: (err: Error) => void = () => {}
  const { app } = setup({ readinessTimeoutMs: 20, readiness: () => new Promise((_resolve, reject) => { rejectLate = reject }) })
  const res = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(res.status, 503)
  t.match(res.json(), { detail: 'The readiness check timed out.' })
  rejectLate(new Error('late'))
  await new Promise((r) => setTimeout(r, 10))
})

t.test('draining → 503 without running the check', async (t) => {
  let calls = 0
  const { app } = setup({ readiness: async () => { calls++; return true } })
  app.startDraining()
  const res = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(res.status, 503)
  t.match(res.json(), { detail: 'The server is shutting down.', code: 'HTTP_NOT_READY' })
  t.equal(calls, 0)
})

t.test('GET /metrics → Prometheus text with the HTTP metrics', async (t) => {
  const { app } = setup({ routes: [{ method: 'GET', path: '/hello/:username', handler: () => ({ status: 200, body: {} }) }] })
  await app.inject({ method: 'GET', url: '/hello/a' })
  await app.inject({ method: 'GET', url: '/hello/b' })
  await app.inject({ method: 'GET', url: '/nope' })
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(res.status, 200)
  t.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  t.match(res.body, /# TYPE http_request_duration_seconds histogram/)
  t.match(res.body, /http_request_duration_seconds_count\{method="GET",route="\/hello\/:username",status_code="200"\} 2/)
  t.match(res.body, /http_request_duration_seconds_count\{method="GET",route="\(unmatched\)",status_code="404"\} 1/)
  t.match(res.body, /# TYPE http_requests_in_flight gauge\nhttp_requests_in_flight 1\n/, 'the scrape itself is in flight')
})

t.test('the default registry carries the process metrics', async (t) => {
  const app = createApp({ routes: [], logger: captureLogger().logger })
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  t.match(res.body, /process_cpu_user_seconds_total/)
  t.match(res.body, /nodejs_eventloop_lag_seconds/)
})
