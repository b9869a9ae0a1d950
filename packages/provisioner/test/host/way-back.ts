// The way back after promote-dr: rebuildPrimary, then failBack, on the modelled hosts.
import t from 'tap'
import { configureHosts } from '../../src/host/configure.js'
import { failBack } from '../../src/host/fail-back.js'
import { hostPlan, stackHosts, type Secrets } from '../../src/host/host-plan.js'
import { promoteDr } from '../../src/host/promote-dr.js'
import { rebuildPrimary } from '../../src/host/rebuild-primary.js'
import type { SshSessionFactory } from '../../src/ssh/session.js'
import { FakeHosts } from '../fixtures/fake-hosts.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()
const secrets: Secrets = { 'superuser-password': 'a1', 'replication-password': 'b2', 'rewind-password': 'c3', 'app-password': 'd4', 'rest-password': 'e5' }
const fast = { sleep: async () => {}, pollAttempts: 3, pollIntervalMs: 1 }
const drIp = stackHosts(stack).find((h) => h.role === 'dr-db')!.ip
const dbIps = stackHosts(stack).filter((h) => h.role === 'db').map((h) => h.ip)

async function promotedStack(): Promise<FakeHosts> {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  await promoteDr(stack, { sessions: f.sessions(), loadBalancer: f.loadBalancer(), secrets, confirm: true, ...fast })
  f.events.length = 0
  return f
}

t.test('rebuild-primary: wipes the primary region and bootstraps it as a standby cluster of the DR host', async (t) => {
  const f = await promotedStack()
  // no sleep given: every wait is met at its first look, so the default timer never runs
  const r = await rebuildPrimary(stack, { sessions: f.sessions(), secrets, confirm: true })
  t.same(r, { rebuilt: ['db1', 'db2', 'db3'], standbyLeader: 'db1', wasPrimary: ['db1'] }, 'the unfenced old leader is reported')
  t.same(f.events, [
    'db2 stop birthday-patroni.service', 'db2 wipe', 'db3 stop birthday-patroni.service', 'db3 wipe', 'db1 stop birthday-patroni.service', 'db1 wipe',
    'db1 start birthday-patroni.service', 'db2 start birthday-patroni.service', 'db3 start birthday-patroni.service',
  ], 'the old leader stops last (no promotion among the old hosts), a host is wiped only once its Patroni is stopped, the standby leader starts first')
  t.match(f.dcs.get('primary')!.standby_cluster, { host: drIp, port: 5432 })
  t.same(f.violations, [])
  t.ok(f.promoted, 'the DR host is still the primary')
  t.ok(f.host('db2').files.has('/etc/birthday-ha/follows-dr'), 'the fence lets the rebuilt hosts start')
})

t.test("the primary region's fence: its Patroni does not start while the DR host is the primary", async (t) => {
  const f = await promotedStack()
  const db1 = await f.sessions()({ host: 'db1', name: 'db1' })
  await db1.run('systemctl stop birthday-patroni.service') // the region lost, then powered on again
  await db1.run('systemctl start birthday-patroni.service')
  t.notOk(f.host('db1').units.get('birthday-patroni.service')!.active)
  t.match(f.events.at(-1), 'db1 birthday-patroni.service start skipped: the DR host is the primary')
})

t.test('rebuild-primary refuses without --yes, and while the DR host is not the primary', async (t) => {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  await t.rejects(rebuildPrimary(stack, { sessions: f.sessions(), secrets, confirm: false }), { code: 'PROV_NOT_CONFIRMED' })
  f.events.length = 0
  await t.rejects(rebuildPrimary(stack, { sessions: f.sessions(), secrets, confirm: true, ...fast }), { code: 'PROV_WRONG_STATE', message: /dr1 is not the primary/ })
  t.same(f.events, [], 'nothing stopped, nothing wiped')
})

t.test('fail-back: DR demoted, caught up, primary promoted, apps back; a normal apply then changes nothing', async (t) => {
  const f = await promotedStack()
  await rebuildPrimary(stack, { sessions: f.sessions(), secrets, confirm: true, ...fast })
  f.events.length = 0
  let clock = 0
  // no sleep given: every wait is met at its first look, so the default timer never runs
  const r = await failBack(stack, { sessions: f.sessions(), loadBalancer: f.loadBalancer(), secrets, confirm: true, now: () => (clock += 1_000) })
  t.same(r, { leader: 'db1', handoverLsn: '0/3000148', noWriterMs: 1_000, repointed: ['app1', 'app2'] })
  const order = f.events.filter((e) => !e.startsWith('lb '))
  t.same(order, [
    'dr1 demoted', 'db1 promoted', 'db1 start birthday-backup.service', // a full backup of the new timeline
    'app1 restart birthday-app.service', 'app2 restart birthday-app.service',
  ])
  t.notOk(f.promoted, 'the DR cluster is a standby again')
  t.match(f.dcs.get('dr')!.standby_cluster, { host: '127.0.0.1', port: 5433, primary_slot_name: 'dr_standby' })
  t.notOk('standby_cluster' in f.dcs.get('primary')!, 'the primary region leads')
  t.strictSame(f.dcs.get('primary')!.slots, { dr_standby: { type: 'physical' } })
  t.match(f.host('app1').files.get('/etc/birthday-ha/app.env')!.content, `PATRONI_URLS=${dbIps.map((ip) => `http://${ip}:8008`).join(',')}\n`)
  const db1 = stackHosts(stack).find((h) => h.name === 'db1')!
  t.notOk(f.host('db1').files.has('/etc/birthday-ha/follows-dr'), 'the fence is back')
  t.equal(f.host('db1').files.get('/etc/birthday-ha/patroni.yml')!.content, hostPlan(stack, db1, secrets).files.find((x) => x.path.endsWith('patroni.yml'))!.content, 'the usual patroni.yml again')
  const again = await configureHosts(stack, { sessions: f.sessions(), secrets, ...fast })
  t.same({ written: again.written, restarted: again.restarted, reconfigured: again.reconfigured }, { written: [], restarted: [], reconfigured: [] }, 'the stack is as apply leaves it')
  t.same(f.violations, [])
})

t.test('fail-back refuses in the wrong state, and stops when the primary region has not caught up', async (t) => {
  const before = new FakeHosts(stack)
  await configureHosts(stack, { sessions: before.sessions(), secrets, ...fast })
  await t.rejects(failBack(stack, { sessions: before.sessions(), loadBalancer: before.loadBalancer(), secrets, confirm: true, ...fast }), { code: 'PROV_WRONG_STATE', message: /dr1 is not the primary/ })
  const promoted = await promotedStack()
  await t.rejects(failBack(stack, { sessions: promoted.sessions(), loadBalancer: promoted.loadBalancer(), secrets, confirm: true, ...fast }), { code: 'PROV_WRONG_STATE', message: /run rebuild-primary first/ })
  await t.rejects(failBack(stack, { sessions: promoted.sessions(), loadBalancer: promoted.loadBalancer(), secrets, confirm: false }), { code: 'PROV_NOT_CONFIRMED' })
  await rebuildPrimary(stack, { sessions: promoted.sessions(), secrets, confirm: true, ...fast })
  promoted.replayBehind.add('db1')
  await t.rejects(failBack(stack, { sessions: promoted.sessions(), loadBalancer: promoted.loadBalancer(), secrets, confirm: true, ...fast }), { code: 'PROV_HOST_UNHEALTHY', message: /db1 did not replay the DR host's WAL up to 0\/3000148/ })
  t.ok(promoted.events.includes('dr1 demoted') && !promoted.events.includes('db1 promoted'), 'never promoted behind the DR host: no acknowledged write is lost')
})

/** Sessions whose answers to commands matching `pattern` are replaced by `stdout` (a host stuck in one state). */
function stuck(f: FakeHosts, host: string, pattern: RegExp, stdout: string): SshSessionFactory {
  const real = f.sessions()
  return async (target) => {
    const s = await real(target)
    if (target.name !== host) return s
    return { ...s, run: async (cmd: string, o?: { readonly stdin?: string }) => (pattern.test(cmd) ? { stdout, stderr: '' } : s.run(cmd, o)) }
  }
}

t.test('rebuild-primary: a region that never streams is PROV_HOST_UNHEALTHY', async (t) => {
  const f = await promotedStack()
  const starting = JSON.stringify({ members: [{ name: 'db1', role: 'standby_leader', state: 'streaming' }, { name: 'db2', role: 'replica', state: 'starting' }] })
  await t.rejects(rebuildPrimary(stack, { sessions: stuck(f, 'db1', /\/cluster \|\| true$/, starting), secrets, confirm: true, ...fast }), { code: 'PROV_HOST_UNHEALTHY', message: /the rebuilt primary region is not streaming: .*starting/ })
  await t.rejects(rebuildPrimary(stack, { sessions: stuck(f, 'db1', /\/standby-leader \|\| true$/, '503'), secrets, confirm: true, ...fast }), { code: 'PROV_HOST_UNHEALTHY', message: /db1 did not become the standby leader/ })
  await t.rejects(rebuildPrimary(stack, { sessions: stuck(f, 'db1', /\/cluster \|\| true$/, '<html>502</html>'), secrets, confirm: true, ...fast }), { code: 'PROV_HOST_UNHEALTHY', message: /not streaming: null$/ }, 'no JSON from /cluster')
})

t.test('fail-back: a DR host that is not demoted stops it before anything is promoted', async (t) => {
  const f = await promotedStack()
  await rebuildPrimary(stack, { sessions: f.sessions(), secrets, confirm: true, ...fast })
  await t.rejects(failBack(stack, { sessions: stuck(f, 'dr1', /\/standby-leader \|\| true$/, '503'), loadBalancer: f.loadBalancer(), secrets, confirm: true, ...fast }), { code: 'PROV_HOST_UNHEALTHY', message: /dr1 did not become a standby leader/ })
  t.notOk(f.events.includes('db1 promoted'))
})

t.test('fail-back: a demoted DR host whose PostgreSQL never comes up stops it before anything is promoted', async (t) => {
  const f = await promotedStack()
  await rebuildPrimary(stack, { sessions: f.sessions(), secrets, confirm: true, ...fast })
  f.refusalsAfterDemotion = 1_000
  await t.rejects(failBack(stack, { sessions: f.sessions(), loadBalancer: f.loadBalancer(), secrets, confirm: true, ...fast }), { code: 'PROV_HOST_UNHEALTHY', message: /dr1 did not answer as a standby: psql: error: .*the database system is starting up/ })
  t.notOk(f.events.includes('db1 promoted'))
})
