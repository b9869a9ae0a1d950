import t from 'tap'
import { configureHosts } from '../../src/host/configure.js'
import { formatStatus, stackStatus } from '../../src/host/status.js'
import { FakeHosts } from '../fixtures/fake-hosts.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()
const secrets = { 'superuser-password': 'a1', 'replication-password': 'b2', 'rewind-password': 'c3', 'app-password': 'd4', 'rest-password': 'e5' }

async function configured() {
  const f = new FakeHosts(stack)
  await configureHosts(stack, { sessions: f.sessions(), secrets, sleep: async () => {} })
  const lb = f.loadBalancer()
  lb.registered.add('app1').add('app2')
  return { f, lb }
}

t.test('a healthy stack: one leader, a sync standby, a replica, a streaming DR standby leader, backups ok', async (t) => {
  const { f, lb } = await configured()
  const st = await stackStatus(stack, { sessions: f.sessions(), loadBalancer: lb })
  t.same(st.members.map((m) => `${m.name} ${m.cluster} ${m.role} ${m.state}`), [
    'db1 primary leader running', 'db2 primary sync_standby streaming', 'db3 primary replica streaming', 'dr1 dr standby_leader streaming',
  ])
  t.match(st.members[1], { lag: 0, timeline: 2 })
  t.same(st.apps.map((a) => `${a.name} ${a.health}`), ['app1 healthy', 'app2 healthy'])
  t.equal(st.backups, 'ok')
  t.same(st.problems, [])
  t.equal(st.healthy, true)
  t.match(formatStatus(st), /^db1 +primary +10\.10\.10\.10 +leader +running\n[\s\S]*db2 .* lag 0\n[\s\S]*app1 +app +10\.10\.10\.20 +healthy\n[\s\S]*backups: pgbackrest check ok\nhealthy$/)
})

t.test('what is wrong is listed', async (t) => {
  const { f, lb } = await configured()
  f.backupsFail = true
  f.host('db3').unit('birthday-patroni.service').active = false
  lb.registered.delete('app2')
  // db1 cannot be reached: another member answers for the cluster.
  const st = await stackStatus(stack, { sessions: f.sessions((n) => n === 'db1'), loadBalancer: lb })
  t.equal(st.healthy, false)
  t.same(st.problems, ['db3 is unreachable/unknown, not streaming', 'pgbackrest check: failed', 'app2 is unused in the load balancer'])
  t.match(formatStatus(st), /problems: db3 is unreachable/)
  const down = await stackStatus(stack, { sessions: f.sessions(() => true), loadBalancer: { health: async () => Promise.reject(new Error('no lb')) } })
  t.same(down.problems, [
    '0 leaders in the primary cluster', 'db1 is unreachable/unknown, not streaming', 'db2 is unreachable/unknown, not streaming', 'db3 is unreachable/unknown, not streaming',
    'no sync_standby', 'dr1 is unreachable/unknown, not a streaming standby_leader', 'pgbackrest check: unknown', 'app1 is unregistered in the load balancer', 'app2 is unregistered in the load balancer',
  ])
  const async = makeStack((x) => void ((x.database ??= {}).synchronousMode = false))
  t.notOk((await stackStatus(async, { sessions: f.sessions(() => true), loadBalancer: lb })).problems.includes('no sync_standby'))
})

t.test("a DB host's stale view is outvoted, and the disagreement is a problem", async (t) => {
  const { f, lb } = await configured()
  // db1 led, then lost its DCS and was replaced by db2; db1 still serves the view it had
  f.staleViews.set('db1', f.cluster('db1'))
  f.leader = 'db2'
  const st = await stackStatus(stack, { sessions: f.sessions(), loadBalancer: lb })
  t.same(st.members.filter((m) => m.cluster === 'primary').map((m) => `${m.name} ${m.role}`), ['db1 sync_standby', 'db2 leader', 'db3 replica'], "db2 and db3's view")
  t.same(st.problems, ['the DB hosts disagree on the leader (db2, db3 name db2; db1 names db1): a partition, or a Patroni without its DCS'])
  t.equal(st.healthy, false)
  // with db1 unreachable the other two agree: nothing to report
  const without = await stackStatus(stack, { sessions: f.sessions((n) => n === 'db1'), loadBalancer: lb })
  t.same(without.problems, [])
  // three views, one each (mid-failover, db3 sees no leader yet): a tie goes to the first host's view, and all are named
  f.staleViews.set('db3', JSON.stringify({ members: [{ name: 'db3', role: 'replica', state: 'streaming', timeline: 2 }] }))
  const tie = await stackStatus(stack, { sessions: f.sessions(), loadBalancer: lb })
  t.match(tie.problems[0], /^the DB hosts disagree on the leader \(db1 names db1; db2 names db2; db3 names no leader\)/)
})
