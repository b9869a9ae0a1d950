import t, { type Test } from 'tap'
import { MockAgent } from 'undici'
import { PatroniApi } from '../src/patroni-api.js'
import { PatroniCredentials } from '../src/patroni-credentials.js'
import { HttpsPatroni, type HttpsPatroniOptions } from './helpers/https-patroni.js'
import { generateTlsMaterial } from './helpers/tls-material.js'

const pki = generateTlsMaterial()
const auth = { username: 'patroni', password: 'rest-secret' }
const basic = (a: { username: string; password: string }): string => `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`

const member = async (t: Test, options: Partial<HttpsPatroniOptions> = {}): Promise<HttpsPatroni> => {
  const m = await HttpsPatroni.start({ server: pki.server, ca: pki.ca, auth, ...options })
  t.teardown(() => m.close())
  return m
}

const client = (t: Test, credentials: typeof auth | undefined): PatroniApi => {
  const api = new PatroniApi({ timeoutMs: 2_000, tls: { ca: pki.ca }, auth: credentials })
  t.teardown(() => api.close())
  return api
}

t.test('plain GETs carry no credentials, though patroniAuth is set (Patroni checks none of its GETs)', async (t) => {
  const m = await member(t)
  const api = client(t, auth)
  t.match(await api.cluster(m.url), { ok: true })
  t.match(await api.primary(m.url), { ok: true })
  t.match(await api.config(m.url), { ok: true })
  t.strictSame(m.seen.map((r) => r.authorization), [undefined, undefined, undefined])
  t.equal(api.calls, 3)
})

t.test('sent after a 401 Basic challenge, at once, then remembered for that origin only', async (t) => {
  const a = await member(t, { guarded: ['/cluster'] })
  const b = await member(t)
  const api = client(t, auth)
  t.match(await api.cluster(a.url), { ok: true, body: { members: [{ name: 'pg1' }] } })
  t.strictSame(a.seen.map((r) => r.authorization), [undefined, basic(auth)], 'asked, then answered')
  t.equal(api.calls, 2, 'both requests count')
  t.match(await api.primary(a.url), { ok: true })
  t.equal(a.seen.at(-1)?.authorization, basic(auth), 'the origin that asked gets them directly')
  t.match(await api.primary(b.url), { ok: true })
  t.equal(b.seen.at(-1)?.authorization, undefined, 'another origin does not')
  t.equal(api.calls, 4)
})

t.test('a 401 without patroniAuth: a failed result naming the option, one request per call (no loop)', async (t) => {
  const m = await member(t, { guarded: ['/cluster'] })
  const api = client(t, undefined)
  for (let i = 0; i < 2; i++) {
    t.match(await api.cluster(m.url), { ok: false, status: 401, error: { code: 'HAPG_PATRONI_AUTH', message: /^Patroni at https:\/\/127\.0\.0\.1:\d+ asked for credentials \(401 on GET \/cluster, Basic challenge\): set patroniAuth$/ } })
  }
  t.equal(m.seen.length, 2)
  t.equal(api.calls, 2)
})

t.test('credentials that are refused: retried once, then a failed result; later calls send them once', async (t) => {
  const m = await member(t, { guarded: ['/cluster'] })
  const api = client(t, { username: 'patroni', password: 'wrong' })
  const refused = { ok: false, status: 401, error: { code: 'HAPG_PATRONI_AUTH', message: /refused the patroniAuth credentials \(401 on GET \/cluster\): check patroniAuth's username and password$/ } }
  t.match(await api.cluster(m.url), refused)
  t.equal(api.calls, 2)
  t.match(await api.cluster(m.url), refused)
  t.equal(api.calls, 3, 'no new challenge round: the origin already asked')
})

t.test('a 401 whose challenge is not Basic is not answered with Basic credentials', async (t) => {
  const bearer = await member(t, { guarded: ['/cluster'], challenge: 'Bearer realm="proxy"' })
  const none = await member(t, { guarded: ['/cluster'], challenge: null })
  const api = client(t, auth)
  t.match(await api.cluster(bearer.url), { ok: false, status: 401, error: { message: /without a Basic challenge \(WWW-Authenticate: Bearer realm="proxy"\); patroniAuth speaks only Basic$/ } })
  t.match(await api.cluster(none.url), { ok: false, status: 401, error: { message: /\(WWW-Authenticate: undefined\)/ } })
  t.strictSame([...bearer.seen, ...none.seen].map((r) => r.authorization), [undefined, undefined])
})

t.test('the retry runs within the same call deadline', async (t) => {
  const agent = new MockAgent()
  agent.disableNetConnect()
  const pool = agent.get('https://10.0.0.1:8008')
  pool.intercept({ path: '/cluster', method: 'GET' }).reply(401, 'no auth header received', { headers: { 'www-authenticate': 'Basic realm="Patroni"' } }).delay(150)
  pool.intercept({ path: '/cluster', method: 'GET' }).reply(200, '{}').delay(150)
  const api = new PatroniApi({ timeoutMs: 200, dispatcher: agent, auth })
  const started = Date.now()
  t.match(await api.cluster('https://10.0.0.1:8008'), { ok: false, timedOut: true })
  t.ok(Date.now() - started < 290, 'one 200 ms deadline for both requests')
  t.equal(api.calls, 2)
  await agent.close()
})

t.test('challenges: Basic among several, in a list of headers, case-insensitive', async (t) => {
  const credentials = new PatroniCredentials(auth)
  t.notOk(credentials.challenged('https://a', 'Basicish realm="x"', false))
  t.equal(credentials.headerFor('https://a'), undefined)
  t.ok(credentials.challenged('https://a', 'Negotiate, basic realm="x"', false))
  t.ok(credentials.challenged('https://b', ['Bearer', 'Basic'], false))
  t.equal(credentials.headerFor('https://b'), basic(auth))
  t.notOk(credentials.challenged('https://b', 'Basic', true), 'sent already: no second retry')
  t.notOk(new PatroniCredentials(undefined).challenged('https://a', 'Basic', false), 'nothing to send')
})

t.test('members that refuse every GET (no patroniAuth): a failover timeout caused by HAPG_PATRONI_AUTH, not "DCS unavailable"', async (t) => {
  const { HaPgClient } = await import('../src/index.js')
  // Before: the 401s to GET /primary counted as "the members answer, their DCS does not" and the call failed at once
  // with HAPG_NO_LEADER, which sends an operator to etcd instead of to the password.
  const ms = await Promise.all([1, 2, 3].map(() => member(t, { guarded: ['/cluster', '/primary', '/config'] })))
  const c = new HaPgClient({ patroniUrls: ms.map((m) => m.url), patroniTls: { ca: pki.ca }, pg: {}, failoverDeadlineMs: 400 })
  t.teardown(() => c.close())
  const err = (await c.query('SELECT 1').catch((e: unknown) => e)) as { code?: string; cause?: { code?: string; cause?: { code?: string } } }
  t.equal(err.code, 'HAPG_FAILOVER_TIMEOUT')
  t.equal(err.cause?.code, 'HAPG_DISCOVERY_FAILED')
  t.equal(err.cause?.cause?.code, 'HAPG_PATRONI_AUTH', 'the cause says what to fix')
})
