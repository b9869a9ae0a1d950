import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createLogger } from '@birthday-ha/http-adapter'
import { loadConfig } from '../src/config.js'
import { startService } from '../src/service.js'
import { throwawayPostgres } from './fixtures/embedded.js'
import { writeTlsFiles } from './fixtures/tls-files.js'
// Every response below is checked against openapi.json before the test sees it.
import { checkedFetch as fetch } from './fixtures/checked-fetch.js'

// A stand-in for Patroni's REST API in front of one real PostgreSQL: enough to run the service in
// PATRONI_URLS mode here. The real cluster (etcd + Patroni) is exercised in examples/local-cluster.
const pg = await throwawayPostgres()
t.teardown(() => pg.dispose())
const state = { leader: true }
const answer = (server: Server, scheme: string, guarded: boolean) => (req: IncomingMessage, res: ServerResponse) => {
  const port = (server.address() as { port: number }).port
  const member = { name: 'pg1', role: state.leader ? 'leader' : 'replica', state: 'running', api_url: `${scheme}://127.0.0.1:${port}/patroni`, host: '127.0.0.1', port: pg.port, timeline: 1, lag: 0 }
  res.setHeader('content-type', 'application/json')
  // Real Patroni asks for credentials only on unsafe endpoints; this stand-in guards every one, as
  // its check_access answers (401, WWW-Authenticate: Basic realm="Patroni", patroni/api.py), so that
  // the service's credentials are exercised: sent only after this challenge.
  if (guarded && req.headers.authorization !== `Basic ${Buffer.from('patroni:rest-secret').toString('base64')}`) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="Patroni"' })
    return res.end('no auth header received')
  }
  if (req.url === '/cluster') return res.end(JSON.stringify({ members: [member] }))
  if (req.url === '/config') return res.end(JSON.stringify({ ttl: 10, loop_wait: 1, retry_timeout: 4 }))
  if (req.url === '/primary') {
    res.statusCode = state.leader ? 200 : 503
    return res.end(JSON.stringify({ role: state.leader ? 'master' : 'replica', timeline: 1, state: 'running' }))
  }
  res.statusCode = 404
  res.end('{}')
}
const rest = createServer()
rest.on('request', answer(rest, 'http', true))
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

t.test('with PATRONI_CA_FILE, PATRONI_CERT_FILE and PATRONI_KEY_FILE it reaches an HTTPS Patroni that requires client certificates', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hello-patroni-tls-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const files = writeTlsFiles(dir)
  const [ca, cert, key] = await Promise.all([files.caFile, files.serverCertFile, files.serverKeyFile].map(async (f) => await readFile(f)))
  // verify_client: required is ssl.CERT_REQUIRED (patroni/api.py): every request needs a client certificate
  const secure = createTlsServer({ ca, cert, key, requestCert: true, rejectUnauthorized: true })
  secure.on('request', answer(secure, 'https', false))
  await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => secure.close(resolve)))
  const superuser = new URL(pg.adminUrl)
  const env = {
    PORT: '0',
    DRAIN_DELAY_MS: '0',
    DB_DEADLINE_MS: '1500',
    STARTUP_TIMEOUT_MS: '1500',
    PATRONI_URLS: `https://127.0.0.1:${(secure.address() as { port: number }).port}`,
    PGUSER: superuser.username,
    PGPASSWORD: decodeURIComponent(superuser.password),
    PGDATABASE: 'birthday',
    PATRONI_CA_FILE: files.caFile,
  }
  const options = { logger: createLogger({ level: 'silent' }), signals: false, exit: () => {} } as const
  const withoutCert = loadConfig(env)
  if (!withoutCert.ok) throw new Error(withoutCert.message)
  await t.rejects(startService(withoutCert.config, options), { message: /\(a client certificate is required: set PATRONI_CERT_FILE and PATRONI_KEY_FILE\)$/ })
  const loaded = loadConfig({ ...env, PATRONI_CERT_FILE: files.clientCertFile, PATRONI_KEY_FILE: files.clientKeyFile })
  if (!loaded.ok) throw new Error(loaded.message)
  const server = await startService(loaded.config, options)
  t.teardown(() => server.close())
  const put = await fetch(`${server.url}/hello/tls`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"dateOfBirth":"2000-02-29"}' })
  t.equal(put.status, 204)
  t.equal((await fetch(`${server.url}/hello/tls`)).status, 200)
})
