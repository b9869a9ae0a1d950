// Regression (found on the lab): app.env had DATABASE_URL (a multi-host URL, not a WHATWG URL) and
// PATRONI_URLS, which hello-service refuses together (examples/hello-service/src/config.ts:
// "DATABASE_URL and PATRONI_URLS are exclusive"; Patroni mode needs PGUSER, PGPASSWORD, PGDATABASE).
import t from 'tap'
import { appEnv, dbDeadlineMs } from '../../src/host/app-env.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()
const secrets = { 'superuser-password': 'a1', 'replication-password': 'b2', 'rewind-password': 'c3', 'app-password': 'p-Q_9', 'rest-password': 'e5' }

t.test("the app's Patroni mode, and only it", async (t) => {
  const env = Object.fromEntries(appEnv(stack, secrets, ['10.10.10.10', '10.10.11.10']).trimEnd().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)))
  t.notOk('DATABASE_URL' in env, 'never DATABASE_URL with PATRONI_URLS')
  t.same(env, {
    HOST: '0.0.0.0', PORT: '8080', PATRONI_URLS: 'http://10.10.10.10:8008,http://10.10.11.10:8008',
    PGUSER: 'birthday_app', PGPASSWORD: "'p-Q_9'", PGDATABASE: 'birthday', LOG_LEVEL: 'info', DRAIN_DELAY_MS: '15000', DB_DEADLINE_MS: '10000',
  })
  for (const u of env['PATRONI_URLS']!.split(',')) t.doesNotThrow(() => new URL(u), 'each is a WHATWG URL')
  t.throws(() => appEnv(stack, { ...secrets, 'app-password': "it's" }, ['10.10.10.10']), TypeError)
})

t.test('a request held by a host being taken out is answered before the load balancer cuts it', async (t) => {
  const at = (seconds: number) => dbDeadlineMs(makeStack((s) => void (s.alb = { ...s.alb, deregistrationDelaySeconds: seconds })))
  t.equal(at(15), 10_000, "the service's own deadline when the delay is longer")
  t.equal(at(5), 4_000, 'one second inside a short delay')
  t.equal(at(0), 1_000, 'never below a second')
  t.match(appEnv(makeStack((s) => void (s.alb = { ...s.alb, deregistrationDelaySeconds: 5 })), secrets, ['10.10.10.10']), /\nDB_DEADLINE_MS=4000\n/)
})
