import t from 'tap'
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
