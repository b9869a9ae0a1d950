import t, { type Test } from 'tap'
import { HaPgClient } from '../src/ha-pg-client.js'
import { PatroniApi, type PatroniApiOptions } from '../src/patroni-api.js'
import { explainClosedTls, tlsConnectOptions } from '../src/patroni-tls.js'
import { HttpsPatroni, type HttpsPatroniOptions } from './helpers/https-patroni.js'
import { generateTlsMaterial } from './helpers/tls-material.js'

const pki = generateTlsMaterial()

const withMember = async (t: Test, options: Partial<HttpsPatroniOptions> = {}): Promise<HttpsPatroni> => {
  const member = await HttpsPatroni.start({ server: pki.server, ca: pki.ca, ...options })
  t.teardown(() => member.close())
  return member
}

const api = (t: Test, tls: PatroniApiOptions['tls']): PatroniApi => {
  const client = new PatroniApi({ timeoutMs: 2_000, tls })
  t.teardown(() => client.close())
  return client
}

t.test('the members are verified against patroniTls.ca: the right CA works, another CA fails', async (t) => {
  const member = await withMember(t)
  t.match(await api(t, { ca: pki.ca }).cluster(member.url), { ok: true, body: { members: [{ name: 'pg1' }] } })
  t.match(await api(t, { ca: pki.otherCa }).cluster(member.url), { ok: false, error: { code: 'SELF_SIGNED_CERT_IN_CHAIN' } })
  t.match(await api(t, undefined).cluster(member.url), { ok: false, error: { code: 'SELF_SIGNED_CERT_IN_CHAIN' } }, "Node's root store does not know the throwaway CA")
})

t.test('servername: the name the certificate is checked against', async (t) => {
  const member = await withMember(t)
  t.match(await api(t, { ca: pki.ca, servername: 'patroni.test' }).primary(member.url), { ok: true })
  t.match(await api(t, { ca: pki.ca, servername: 'other.test' }).primary(member.url), { ok: false, error: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } })
})

t.test('verify_client required: no client certificate fails at the handshake, with a message naming the options', async (t) => {
  const member = await withMember(t, { verifyClient: 'required' })
  const without = await api(t, { ca: pki.ca }).cluster(member.url)
  t.match(without, { ok: false, error: { code: 'HAPG_PATRONI_TLS', message: /^Patroni at https:\/\/127\.0\.0\.1:\d+ closed the TLS connection .* set patroniTls\.cert and patroniTls\.key$/, cause: { code: 'UND_ERR_SOCKET' } } })
  t.equal(member.seen.length, 0, 'no request got through')
  t.match(await api(t, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key }).cluster(member.url), { ok: true })
  t.match(await api(t, { ca: pki.ca, cert: pki.client.cert, key: pki.encryptedClientKey, passphrase: pki.passphrase }).config(member.url), { ok: true, body: { ttl: 20 } })
  t.match(member.seen, [{ path: '/cluster', clientCert: true }, { path: '/config', clientCert: true }])
})

t.test('HaPgClient without the client certificate Patroni requires: the failover timeout says what to set', async (t) => {
  const member = await withMember(t, { verifyClient: 'required' })
  const client = new HaPgClient({ patroniUrls: [member.url], patroniTls: { ca: pki.ca }, pg: {}, failoverDeadlineMs: 300 })
  t.teardown(() => client.close())
  const started = Date.now()
  await t.rejects(client.query('SELECT 1'), {
    code: 'HAPG_FAILOVER_TIMEOUT',
    message: /unreachable: no Patroni member answered GET \/cluster: HaPgError: Patroni at https:\/\/127\.0\.0\.1:\d+ closed the TLS connection .*set patroniTls\.cert and patroniTls\.key\)$/,
    cause: { code: 'HAPG_DISCOVERY_FAILED', cause: { code: 'HAPG_PATRONI_TLS', cause: { code: 'UND_ERR_SOCKET' } } },
  })
  t.ok(Date.now() - started < 2_000, 'within the deadline')
})

t.test('verify_client optional: GETs need no client certificate (only check_access endpoints do)', async (t) => {
  const member = await withMember(t, { verifyClient: 'optional' })
  t.match(await api(t, { ca: pki.ca }).primary(member.url), { ok: true })
  t.match(member.seen, [{ path: '/primary', clientCert: false }])
})

t.test('explainClosedTls: only a closed https connection without a client certificate is explained', async (t) => {
  const closed = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })
  const https = new URL('https://10.0.0.1:8008/cluster')
  t.equal(explainClosedTls(closed, new URL('http://10.0.0.1:8008/cluster'), false), closed)
  t.equal(explainClosedTls(closed, https, true), closed, 'a certificate was sent: something else closed it')
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  t.equal(explainClosedTls(refused, https, false), refused)
  t.match(explainClosedTls(closed, https, false), { message: /^Patroni at https:\/\/10\.0\.0\.1:8008 closed/, cause: closed })
})

t.test('tlsConnectOptions reads the non-enumerable key and passphrase and leaves out what is unset', async (t) => {
  const tls = { ca: 'CA' }
  Object.defineProperty(tls, 'key', { value: 'KEY', enumerable: false })
  Object.defineProperty(tls, 'passphrase', { value: 'PW', enumerable: false })
  t.strictSame(tlsConnectOptions(tls), { ca: 'CA', key: 'KEY', passphrase: 'PW' })
  t.strictSame(tlsConnectOptions(undefined), {})
})
