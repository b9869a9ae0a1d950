import t from 'tap'
import { attachTopology, serviceEnv, startTopology, TIMEOUTS } from '../src/topology.js'

t.test('bad options and a missing state file are typed errors', async (t) => {
  await t.rejects(startTopology({ name: 'x', clusterBasePort: 27800, haproxyPort: 27840, appBasePort: 27841, apps: 0, etcdMembers: 1, log: () => {} }), { code: 'DEMO_BAD_OPTIONS' })
  await t.rejects(attachTopology('never-started'), { code: 'DEMO_NO_STATE', message: /npm run demo:ha/ })
})

t.test('the service env: drain delay from the haproxy check timing, deadline below the request timeout', async (t) => {
  const env = serviceEnv({ env: () => ({ PATRONI_URLS: 'http://127.0.0.1:1' }) } as never)
  t.match(env, { PATRONI_URLS: 'http://127.0.0.1:1', LOG_LEVEL: 'warn', DRAIN_DELAY_MS: '2500', DB_DEADLINE_MS: '15000', REQUEST_TIMEOUT_MS: '20000' })
  t.ok(TIMEOUTS.dbDeadlineMs < TIMEOUTS.requestTimeoutMs && TIMEOUTS.requestTimeoutMs < TIMEOUTS.haproxyServerMs && TIMEOUTS.haproxyServerMs < TIMEOUTS.clientMs)
})
