import t from 'tap'
import { resolveLayout, type ClusterOptions } from '../src/layout.js'

t.test('defaults: 3 etcd, 3 nodes, fast timing, sync on, ports from 25000', async (t) => {
  const layout = resolveLayout()
  t.equal(layout.name, 'birthday')
  t.match(layout.dataDir, /\/\.data\/local-cluster\/birthday$/)
  t.equal(layout.stateFile, `${layout.dataDir}/state.json`)
  t.strictSame(layout.timing, { ttl: 10, loop_wait: 1, retry_timeout: 4 })
  t.equal(layout.patroni, '3')
  t.equal(layout.synchronousMode, true)
  t.strictSame(layout.etcd.map((m) => [m.name, m.clientPort, m.peerPort]), [
    ['etcd0', 25000, 25001], ['etcd1', 25002, 25003], ['etcd2', 25004, 25005],
  ])
  t.strictSame(layout.nodes.map((n) => [n.name, n.pgPort, n.restPort, n.dr]), [
    ['pg1', 25010, 25020, false], ['pg2', 25011, 25021, false], ['pg3', 25012, 25022, false],
  ])
  const pg1 = layout.nodes[0]!
  t.equal(pg1.dataDir, `${layout.dataDir}/nodes/pg1/data`)
  t.equal(pg1.logDir, `${layout.dataDir}/nodes/pg1/log`, 'log dir outside PGDATA')
})

t.test('options: one etcd, DR node, production or explicit timing, no sync', async (t) => {
  const layout = resolveLayout({ name: 'x-1', basePort: 30000, etcdMembers: 1, drReplica: true, timing: 'production',
    synchronousMode: false, dataDir: '/tmp/lc-layout' })
  t.equal(layout.etcd.length, 1)
  t.strictSame(layout.nodes.map((n) => [n.name, n.pgPort, n.restPort, n.dr]).at(-1), ['pg-dr', 30013, 30023, true])
  t.strictSame(layout.timing, { ttl: 30, loop_wait: 10, retry_timeout: 10 })
  t.equal(layout.synchronousMode, false)
  t.equal(layout.dataDir, '/tmp/lc-layout')
  t.strictSame(resolveLayout({ timing: { ttl: 5, loop_wait: 1, retry_timeout: 2 } }).timing, { ttl: 5, loop_wait: 1, retry_timeout: 2 })
  t.strictSame(resolveLayout({ timing: 'fast' }).timing, { ttl: 10, loop_wait: 1, retry_timeout: 4 })
})

t.test("patroni '4': Patroni 4's timing minimums applied, as it would itself", async (t) => {
  const four = (timing: NonNullable<ClusterOptions['timing']>) => resolveLayout({ patroni: '4', timing })
  t.equal(four('fast').patroni, '4')
  t.strictSame(four('fast').timing, { ttl: 20, loop_wait: 1, retry_timeout: 4 }, 'fast 10/1/4 runs as 20/1/4')
  t.strictSame(four('production').timing, { ttl: 30, loop_wait: 10, retry_timeout: 10 }, 'production is above the minimums')
  t.strictSame(four({ ttl: 5, loop_wait: 1, retry_timeout: 2 }).timing, { ttl: 20, loop_wait: 1, retry_timeout: 3 })
  t.strictSame(four({ ttl: 30, loop_wait: 28, retry_timeout: 1 }).timing, { ttl: 30, loop_wait: 24, retry_timeout: 3 },
    'retry_timeout raised to 3 breaks the rule: loop_wait lowered to ttl - 2*retry_timeout')
  t.strictSame(resolveLayout({ patroni: '3', timing: 'fast' }).timing, { ttl: 10, loop_wait: 1, retry_timeout: 4 }, 'Patroni 3 stores what it is given')
})

t.test('restTls: https API URLs, the files kept; relative paths refused', async (t) => {
  const restTls = { caFile: '/tls/ca.pem', certFile: '/tls/member.pem', keyFile: '/tls/member.key' }
  const layout = resolveLayout({ basePort: 26300, restTls })
  t.strictSame(layout.nodes.map((n) => n.apiUrl), ['https://127.0.0.1:26320', 'https://127.0.0.1:26321', 'https://127.0.0.1:26322'])
  t.strictSame(layout.restTls, restTls)
  t.equal(resolveLayout().nodes[0]?.apiUrl, 'http://127.0.0.1:25020')
  t.notOk('restTls' in resolveLayout())
  t.throws(() => resolveLayout({ restTls: { ...restTls, keyFile: 'member.key' } }), { code: 'LC_BAD_OPTIONS', message: /absolute caFile, certFile and keyFile/ })
})

t.test('bad options throw LC_BAD_OPTIONS', async (t) => {
  for (const [what, options] of [
    ['name', { name: 'Bad Name' }],
    ['basePort low', { basePort: 80 }],
    ['basePort high', { basePort: 65530 }],
    ['basePort fraction', { basePort: 25000.5 }],
    ['etcdMembers', { etcdMembers: 2 as 1 }],
    ['dataDir', { dataDir: '/tmp/with space' }],
    ['timing sum', { timing: { ttl: 10, loop_wait: 3, retry_timeout: 4 } }],
    ['timing zero', { timing: { ttl: 10, loop_wait: 0, retry_timeout: 4 } }],
    ['timing name', { timing: 'slow' as 'fast' }],
    ['patroni number', { patroni: 4 as unknown as '4' }],
    ['patroni 5', { patroni: '5' as '4' }],
  ] as const) {
    t.throws(() => resolveLayout(options), { code: 'LC_BAD_OPTIONS' }, what)
  }
  t.throws(() => resolveLayout({ patroni: 4 as unknown as '4' }), { code: 'LC_BAD_OPTIONS', message: "patroni must be '3' or '4', got 4" })
})
