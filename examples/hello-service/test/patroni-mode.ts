import { createServer } from 'node:http'
import t from 'tap'
import { createLogger } from '@birthday-ha/http-adapter'
import { loadConfig } from '../src/config.js'
import { startService } from '../src/service.js'
import { throwawayPostgres } from './fixtures/embedded.js'
// Every response below is checked against openapi.json before the test sees it.
import { checkedFetch as fetch } from './fixtures/checked-fetch.js'

// A stand-in for Patroni's REST API in front of one real PostgreSQL: enough to run the service in
// PATRONI_URLS mode here. The real cluster (etcd + Patroni) is exercised in examples/local-cluster.
const pg = await throwawayPostgres()
t.teardown(() => pg.dispose())
const state = { leader: true }
const rest = createServer((req, res) => {
  const port = (rest.address() as { port: number }).port
  const member = { name: 'pg1', role: state.leader ? 'leader' : 'replica', state: 'running', api_url: `http://127.0.0.1:${port}/patroni`, host: '127.0.0.1', port: pg.port, timeline: 1, lag: 0 }
  res.setHeader('content-type', 'application/json')
  if (req.headers.authorization !== `Basic ${Buffer.from('patroni:rest-secret').toString('base64')}`) {
    res.statusCode = 401
    return res.end('{}')
  }
  if (req.url === '/cluster') return res.end(JSON.stringify({ members: [member] }))
  if (req.url === '/config') return res.end(JSON.stringify({ ttl: 10, loop_wait: 1, retry_timeout: 4 }))
  if (req.url === '/primary') {
    res.statusCode = state.leader ? 200 : 503
    return res.end(JSON.stringify({ role: state.leader ? 'master' : 'replica', timeline: 1, state: 'running' }))
  }
  res.statusCode = 404
  res.end('{}')
})
await new Promise<void>((resolve) => rest.listen(0, '127.0.0.1', resolve))
t.teardown(() => new Promise((resolve) => rest.close(resolve)))

t.test('with PATRONI_URLS the service follows the leader Patroni names, and answers 503 without one', async (t) => {
  const superuser = new URL(pg.adminUrl)
  const loaded = loadConfig({
    PORT: '0',
    DRAIN_DELAY_MS: '0',
    DB_DEADLINE_MS: '1500',
    PATRONI_URLS: `http://127.0.0.1:${(rest.address() as { port: number }).port}`,
    PGUSER: superuser.username,
    PGPASSWORD: decodeURIComponent(superuser.password),
    PGDATABASE: 'birthday',
    PATRONI_USERNAME: 'patroni',
    PATRONI_PASSWORD: 'rest-secret',
  })
  if (!loaded.ok) throw new Error(loaded.message)
  const server = await startService(loaded.config, { logger: createLogger({ level: 'silent' }), signals: false, exit: () => {} })
  t.teardown(() => server.close())

  const put = await fetch(`${server.url}/hello/patroni`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"dateOfBirth":"2000-02-29"}' })
  t.equal(put.status, 204)
  t.equal((await fetch(`${server.url}/hello/patroni`)).status, 200)
  t.equal((await fetch(`${server.url}/readyz`)).status, 200)
  t.match(await (await fetch(`${server.url}/metrics`)).text(), /hapg_leader_leased 1/)

  // Patroni stops naming a leader. Within the lease writes still go through (no other leader can
  // exist yet); once discovery sees it, readiness turns 503 and writes wait, then fail cleanly.
  state.leader = false
  const waitFor = async (status: number) => {
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${server.url}/readyz`)).status === status) return true
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return false
  }
  t.ok(await waitFor(503), 'not ready once Patroni names no leader')
  t.match(await (await fetch(`${server.url}/metrics`)).text(), /hapg_leader_leased 0/)
  const started = Date.now()
  const refused = await fetch(`${server.url}/hello/patroni`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"dateOfBirth":"2000-03-01"}' })
  t.equal(refused.status, 503)
  t.equal(refused.headers.get('retry-after'), '1')
  t.match(await refused.json(), { code: 'DATABASE_UNAVAILABLE' })
  t.ok(Date.now() - started < 10_000, 'bounded by DB_DEADLINE_MS, not a hang')

  state.leader = true
  t.ok(await waitFor(200), 'ready again once Patroni names the leader')
  t.equal((await fetch(`${server.url}/hello/patroni`)).status, 200)
})
