import t from 'tap'
import { MockAgent } from 'undici'
import { PatroniApi } from '../src/patroni-api.js'

const setup = () => {
  const agent = new MockAgent()
  agent.disableNetConnect()
  return { agent, pool: agent.get('http://127.0.0.1:8008') }
}

t.test('GET /cluster parses JSON, without basic auth until a member asks (test/patroni-credentials.ts)', async (t) => {
  const { agent, pool } = setup()
  let auth: unknown
  pool.intercept({ path: '/cluster', method: 'GET' }).reply((opts) => {
    auth = (opts.headers as Record<string, string>).authorization
    return { statusCode: 200, data: JSON.stringify({ members: [{ name: 'a' }] }) }
  })
  const api = new PatroniApi({ timeoutMs: 500, dispatcher: agent, auth: { username: 'u', password: 'p' } })
  t.match(await api.cluster('http://127.0.0.1:8008/'), { ok: true, status: 200, body: { members: [{ name: 'a' }] } })
  t.equal(auth, undefined)
  await api.close()
  await agent.close()
})

t.test('non-2xx, empty bodies and bad JSON', async (t) => {
  const { agent, pool } = setup()
  pool.intercept({ path: '/primary', method: 'GET' }).reply(503, '')
  pool.intercept({ path: '/config', method: 'GET' }).reply(200, 'not json')
  pool.intercept({ path: '/primary', method: 'GET' }).reply(200, '')
  const api = new PatroniApi({ timeoutMs: 500, dispatcher: agent })
  t.match(await api.primary('http://127.0.0.1:8008/'), { ok: false, status: 503 })
  t.match(await api.config('http://127.0.0.1:8008/'), { ok: false, status: 200 })
  t.match(await api.primary('http://127.0.0.1:8008/'), { ok: true, body: {} })
  await agent.close()
})

t.test('a frozen Patroni (accepts, never answers) times out', async (t) => {
  const { agent, pool } = setup()
  pool.intercept({ path: '/cluster', method: 'GET' }).reply(200, () => new Promise(() => {}))
  const api = new PatroniApi({ timeoutMs: 50, dispatcher: agent })
  const started = Date.now()
  const res = await api.cluster('http://127.0.0.1:8008/')
  t.equal(res.ok, false)
  t.ok(Date.now() - started < 2_000)
  await agent.close()
})

t.test('a socket error is a failed result', async (t) => {
  const { agent, pool } = setup()
  pool.intercept({ path: '/cluster', method: 'GET' }).replyWithError(new Error('ECONNREFUSED'))
  const api = new PatroniApi({ timeoutMs: 50, dispatcher: agent })
  t.match(await api.cluster('http://127.0.0.1:8008/'), { ok: false, error: Error })
  await agent.close()
})

t.test('its own agent (with TLS options) against a real refused port, closed on close()', async (t) => {
  const api = new PatroniApi({ timeoutMs: 300, tls: { ca: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n' } })
  t.match(await api.cluster('http://127.0.0.1:1/'), { ok: false })
  await api.close()
  const plain = new PatroniApi({ timeoutMs: 300 })
  await plain.close()
})
