import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import t from 'tap'
import { defaultEmbeddedDir, loadConfig } from '../src/config.js'

const tlsDir = mkdtempSync(join(tmpdir(), 'hello-config-tls-'))
t.teardown(() => rmSync(tlsDir, { recursive: true, force: true }))
const pem = (name: string): string => {
  writeFileSync(join(tlsDir, name), `-----${name}-----`)
  return join(tlsDir, name)
}
const [caFile, certFile, keyFile] = [pem('ca.pem'), pem('cert.pem'), pem('key.pem')]

t.test('defaults', async (t) => {
  const result = loadConfig({})
  t.ok(result.ok)
  if (!result.ok) return
  t.match(result.config, {
    port: 8000,
    host: '127.0.0.1',
    databaseUrl: undefined,
    patroni: undefined,
    logLevel: 'info',
    drainDelayMs: 5_000,
    shutdownTimeoutMs: 30_000,
    keepAliveTimeoutMs: 65_000,
    bodyLimitBytes: 16_384,
    dbPoolMax: 10,
    dbDeadlineMs: 10_000,
    startupTimeoutMs: 30_000,
    leapDayRule: 'mar1',
    embeddedPgDir: defaultEmbeddedDir,
    embeddedPgPort: 54_329,
  })
})

t.test('the default embedded directory is .data/embedded-pg at the repository root', async (t) => {
  t.match(defaultEmbeddedDir, /\/\.data\/embedded-pg$/)
  t.notMatch(defaultEmbeddedDir, /examples/)
})

t.test('reads every variable', async (t) => {
  const result = loadConfig({
    PORT: '0',
    HOST: '0.0.0.0',
    DATABASE_URL: 'postgres://u:p@db.internal:5432/app',
    LOG_LEVEL: 'warn',
    DRAIN_DELAY_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '1000',
    KEEP_ALIVE_TIMEOUT_MS: '5000',
    HEADERS_TIMEOUT_MS: '2000',
    REQUEST_TIMEOUT_MS: '3000',
    BODY_LIMIT_BYTES: '1024',
    DB_POOL_MAX: '4',
    DB_DEADLINE_MS: '1500',
    LEAP_DAY_RULE: 'feb28',
    EMBEDDED_PG_DIR: '/tmp/x',
    EMBEDDED_PG_PORT: '6000',
  })
  t.ok(result.ok)
  if (!result.ok) return
  t.match(result.config, {
    port: 0,
    host: '0.0.0.0',
    databaseUrl: 'postgres://u:p@db.internal:5432/app',
    logLevel: 'warn',
    drainDelayMs: 0,
    shutdownTimeoutMs: 1000,
    keepAliveTimeoutMs: 5000,
    headersTimeoutMs: 2000,
    requestTimeoutMs: 3000,
    bodyLimitBytes: 1024,
    dbPoolMax: 4,
    dbDeadlineMs: 1500,
    leapDayRule: 'feb28',
    embeddedPgDir: '/tmp/x',
    embeddedPgPort: 6000,
  })
})

const pgEnv = { PGUSER: 'app', PGPASSWORD: 'secret', PGDATABASE: 'birthday' }

t.test('PATRONI_URLS is a comma-separated list of http(s) URLs, with the app role from PG*', async (t) => {
  const result = loadConfig({ PATRONI_URLS: 'http://10.0.1.10:8008, https://10.0.2.10:8008', ...pgEnv })
  t.ok(result.ok)
  if (result.ok) {
    t.strictSame(result.config.patroni, {
      urls: ['http://10.0.1.10:8008', 'https://10.0.2.10:8008'],
      user: 'app',
      password: 'secret',
      database: 'birthday',
    })
  }
  const withAuth = loadConfig({ PATRONI_URLS: 'http://a:8008', ...pgEnv, PATRONI_USERNAME: 'patroni', PATRONI_PASSWORD: 'p' })
  t.ok(withAuth.ok)
  if (withAuth.ok) t.strictSame(withAuth.config.patroni?.auth, { username: 'patroni', password: 'p' })
})

t.test('PATRONI_CA_FILE, PATRONI_CERT_FILE, PATRONI_KEY_FILE are read at start; the key stays out of logs', async (t) => {
  const result = loadConfig({ PATRONI_URLS: 'https://a:8008,https://b:8008', ...pgEnv, PATRONI_CA_FILE: caFile, PATRONI_CERT_FILE: certFile, PATRONI_KEY_FILE: keyFile })
  if (!result.ok) throw new Error(result.message)
  const tls = result.config.patroni?.tls
  t.strictSame([tls?.ca, tls?.cert, tls?.key].map(String), ['-----ca.pem-----', '-----cert.pem-----', '-----key.pem-----'])
  for (const text of [JSON.stringify(result.config), inspect(result.config, { depth: 5 })]) t.notMatch(text, /key\.pem-----/)
  const caOnly = loadConfig({ PATRONI_URLS: 'https://a:8008', ...pgEnv, PATRONI_CA_FILE: caFile })
  t.strictSame(caOnly.ok && Object.keys(caOnly.config.patroni?.tls ?? {}), ['ca'])
})

const bad: [Record<string, string>, RegExp][] = [
  [{ PORT: 'abc' }, /^PORT must be an integer from 0 to 65535 \(got "abc"\)$/],
  [{ PORT: '65536' }, /^PORT /],
  [{ PORT: '-1' }, /^PORT /],
  [{ PORT: '1.5' }, /^PORT /],
  [{ HOST: 'a b' }, /^HOST /],
  [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL must be a URL/],
  [{ DATABASE_URL: 'mysql://x/y' }, /^DATABASE_URL must use postgres: or postgresql:/],
  [{ PATRONI_URLS: 'http://a:8008,ftp://b', ...pgEnv }, /^PATRONI_URLS must use http: or https:/],
  [{ DATABASE_URL: 'postgres://x/y', PATRONI_URLS: 'http://a:8008', ...pgEnv }, /^DATABASE_URL and PATRONI_URLS are exclusive/],
  [{ PATRONI_URLS: 'http://a:8008', PGUSER: 'app', PGDATABASE: 'db' }, /^PGPASSWORD must be set when PATRONI_URLS is set$/],
  [{ PATRONI_URLS: 'http://a:8008', ...pgEnv, PATRONI_USERNAME: 'x' }, /^PATRONI_PASSWORD must be set when PATRONI_USERNAME is set$/],
  [{ PATRONI_URLS: 'https://a:8008', ...pgEnv, PATRONI_CERT_FILE: '/c.pem' }, /^PATRONI_CERT_FILE and PATRONI_KEY_FILE go together: set both or neither$/],
  [{ PATRONI_URLS: 'https://a:8008', ...pgEnv, PATRONI_KEY_FILE: '/k.pem' }, /^PATRONI_CERT_FILE and PATRONI_KEY_FILE go together/],
  [{ PATRONI_URLS: 'https://a:8008,HTTP://b:8008', ...pgEnv, PATRONI_CA_FILE: '/ca.pem' }, /^PATRONI_CA_FILE is set but PATRONI_URLS has HTTP:\/\/b:8008: TLS needs https: URLs$/],
  [{ PATRONI_CERT_FILE: '/c.pem', PATRONI_KEY_FILE: '/k.pem' }, /^PATRONI_CERT_FILE is set but PATRONI_URLS is not$/],
  [{ PATRONI_URLS: 'https://a:8008', ...pgEnv, PATRONI_CA_FILE: '/nonexistent/ca.pem' }, /^PATRONI_CA_FILE: cannot read \/nonexistent\/ca\.pem \(ENOENT\)$/],
  [{ PATRONI_URLS: 'https://a:8008', ...pgEnv, PATRONI_CERT_FILE: certFile, PATRONI_KEY_FILE: tmpdir() }, /^PATRONI_KEY_FILE: cannot read .* \(EISDIR\)$/],
  [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of debug, info, warn, error, silent \(got "loud"\)$/],
  [{ LEAP_DAY_RULE: 'mar2' }, /^LEAP_DAY_RULE /],
  [{ DRAIN_DELAY_MS: '10', SHUTDOWN_TIMEOUT_MS: '10' }, /^SHUTDOWN_TIMEOUT_MS \(10\) must be greater than DRAIN_DELAY_MS \(10\)$/],
  [{ BODY_LIMIT_BYTES: '1' }, /^BODY_LIMIT_BYTES /],
  [{ DB_DEADLINE_MS: '30000' }, /^DB_DEADLINE_MS \(30000\) must be less than REQUEST_TIMEOUT_MS \(30000\)/],
  [{ DB_POOL_MAX: '0' }, /^DB_POOL_MAX /],
  [{ EMBEDDED_PG_PORT: '0' }, /^EMBEDDED_PG_PORT /],
]

t.test('a bad value names its variable in one line', async (t) => {
  for (const [env, message] of bad) {
    const result = loadConfig(env)
    t.notOk(result.ok, JSON.stringify(env))
    if (!result.ok) {
      t.match(result.message, message)
      t.notMatch(result.message, /\n/)
    }
  }
})

t.test('empty values mean "use the default"', async (t) => {
  const result = loadConfig({ PORT: '', DATABASE_URL: '', PATRONI_URLS: '', LOG_LEVEL: '', EMBEDDED_PG_DIR: '' })
  t.ok(result.ok)
  if (result.ok) t.match(result.config, { port: 8000, databaseUrl: undefined, patroni: undefined, embeddedPgDir: defaultEmbeddedDir })
})

t.test('programmer errors are not swallowed', async (t) => {
  const env = new Proxy({}, { get: () => { throw new TypeError('boom') } })
  t.throws(() => loadConfig(env), TypeError)
})
