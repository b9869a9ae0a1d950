import { inspect } from 'node:util'
import t from 'tap'
import { MockAgent } from 'undici'
import { validateOptions, type HaPgClientOptions } from '../src/options.js'

const bad = (o: unknown): void => {
  t.throws(() => validateOptions(o as HaPgClientOptions), { code: 'HAPG_INVALID_OPTIONS' }, JSON.stringify(o))
}

t.test('rejects invalid options', async () => {
  bad(null)
  bad('x')
  bad({})
  bad({ connectionString: 'postgres://x', patroniUrls: ['http://a'] })
  bad({ connectionString: '' })
  bad({ connectionString: 5 })
  bad({ pg: null })
  bad({ pg: 'postgres://x' })
  bad({ connectionString: undefined })
  bad({ patroniUrls: [], pg: {} })
  bad({ patroniUrls: 'http://a', pg: {} })
  bad({ patroniUrls: ['ftp://a'], pg: {} })
  bad({ patroniUrls: ['not a url'], pg: {} })
  bad({ patroniUrls: ['http://a:8008'] })
  bad({ patroniUrls: ['http://a:8008'], pg: null })
  bad({ patroniUrls: ['http://a:8008'], pg: {}, leaseMs: -1 })
  bad({ patroniUrls: ['http://a:8008'], pg: {}, restTimeoutMs: Number.NaN })
  bad({ patroniUrls: ['http://a:8008'], pg: {}, failoverDeadlineMs: '5' })
  bad({ patroniUrls: ['http://a:8008'], pg: {}, leaseMs: 1000, discoveryIntervalMs: 1000 })
})

t.test('patroniTls: refused where it would do nothing or is malformed', async (t) => {
  const tls = (patroniTls: unknown, urls = ['https://a:8008', 'https://b:8008'], extra = {}): HaPgClientOptions =>
    ({ patroniUrls: urls, pg: {}, patroniTls, ...extra }) as HaPgClientOptions
  const refused = (options: HaPgClientOptions, message: RegExp): void => {
    t.throws(() => validateOptions(options), { code: 'HAPG_INVALID_OPTIONS', message }, String(message))
  }
  refused(tls({ cert: 'C' }), /patroniTls\.cert and patroniTls\.key go together: give both or neither$/)
  refused(tls({ key: 'K' }), /patroniTls\.cert and patroniTls\.key go together/)
  refused(tls({ ca: 'CA' }, ['https://a:8008', 'http://b:8008']), /patroniTls is set but http:\/\/b:8008 is http: \(TLS would not be used\); use https: URLs$/)
  refused(tls({ ca: 'CA' }, ['https://a:8008'], { dispatcher: new MockAgent() }), /patroniTls has no effect with your own dispatcher/)
  refused(tls('CA'), /patroniTls must be an object$/)
  refused(tls(null), /patroniTls must be an object$/)
  refused(tls({ ca: 5 }), /patroniTls\.ca must be a string or a Buffer \(PEM\)$/)
  refused(tls({ cert: 'C', key: 'K', passphrase: 1 }), /patroniTls\.passphrase must be a string$/)
  t.doesNotThrow(() => validateOptions(tls({ ca: Buffer.from('CA'), cert: 'C', key: Buffer.from('K'), passphrase: 'pw', servername: 'patroni.test' })))
  t.doesNotThrow(() => validateOptions(tls({})), 'an empty patroniTls: Node defaults')
})

t.test('the TLS key and passphrase are not enumerable: out of JSON, util.inspect and log lines', async (t) => {
  const o = validateOptions({ patroniUrls: ['https://a:8008'], pg: {}, patroniTls: { ca: 'THE-CA', cert: 'THE-CERT', key: 'THE-KEY', passphrase: 'THE-PASSPHRASE', servername: 'patroni.test' } })
  for (const text of [JSON.stringify(o), inspect(o, { depth: 5 }), JSON.stringify({ msg: 'options', ...o })]) {
    t.notMatch(text, /THE-KEY|THE-PASSPHRASE/)
    t.match(text, /THE-CERT/)
  }
  if (!('patroniUrls' in o)) throw new Error('mode')
  t.equal(o.patroniTls?.key, 'THE-KEY')
  t.equal(o.patroniTls?.passphrase, 'THE-PASSPHRASE')
  t.strictSame({ ...o.patroniTls }, { ca: 'THE-CA', cert: 'THE-CERT', servername: 'patroni.test' })
  const bare = validateOptions({ patroniUrls: ['https://a:8008'], pg: {}, patroniTls: { ca: 'THE-CA' } })
  t.notOk('patroniUrls' in bare && bare.patroniTls !== undefined && 'key' in bare.patroniTls, 'no key given, none added')
})

t.test('secrets are not enumerable', async (t) => {
  const o = validateOptions({ patroniUrls: ['https://a:8008'], pg: { user: 'u', password: 'pw' }, patroniAuth: { username: 'r', password: 'rpw' }, leaseMs: 1000, discoveryIntervalMs: 100 })
  t.notMatch(JSON.stringify(o), /pw/)
  if (!('patroniUrls' in o)) throw new Error('mode')
  t.equal(o.pg.password, 'pw')
  t.equal(o.patroniAuth?.password, 'rpw')
  const s = validateOptions({ connectionString: 'postgres://u:pw@h/db' })
  t.notMatch(JSON.stringify(s), /pw/)
  t.equal('connectionString' in s && s.connectionString, 'postgres://u:pw@h/db')
  const full = validateOptions({ pg: { host: 'h', user: 'u', password: 'pw' } })
  t.notMatch(JSON.stringify(full), /pw/, 'static mode with a full pg config: the password is hidden too')
  t.equal('pg' in full && full.pg?.password, 'pw')
  const noPw = validateOptions({ patroniUrls: ['http://a:8008'], pg: { user: 'u' } })
  t.notOk('password' in ('pg' in noPw ? noPw.pg : {}))
})
