// 3 etcd members, 3 Patroni nodes plus the nofailover DR node, and haproxy in front.
import t from 'tap'
import { startCluster, startHaproxy, type MemberInfo } from '../../src/index.js'
import { probe, restCall } from '../../src/patroni-rest.js'
import { queryOnce } from '../../src/pg-query.js'
import { fileURLToPath } from 'node:url'
import { isAlive, readPostmasterPid } from '../../src/processes.js'
import { waitFor } from '../../src/wait.js'
import { recordedProcesses } from './fixtures/recorded.js'

const options = { name: 'it-three', basePort: 25200, etcdMembers: 3, drReplica: true } as const
const cluster = await startCluster(options)
// On failure the data dir (Patroni, PostgreSQL and etcd logs) stays for inspection; the next run wipes it.
t.teardown(async () => await cluster.close({ removeData: t.passing() }))

const etcdClientPorts = [25200, 25202, 25204]

async function etcdLeaderIndex(): Promise<number> {
  for (const [i, port] of etcdClientPorts.entries()) {
    const res = await restCall(`http://127.0.0.1:${port}/v3/maintenance/status`, { method: 'POST', body: {} })
    const status = JSON.parse(res.body) as { header: { member_id: string }; leader: string }
    if (status.header.member_id === status.leader) return i
  }
  throw new Error('no etcd leader')
}

t.test('the DR node streams too, is tagged nofailover, and never becomes sync standby or leader', async (t) => {
  const members = await cluster.status()
  t.strictSame(members.map((m) => m.name).sort(), ['pg-dr', 'pg1', 'pg2', 'pg3'])
  const dr = members.find((m) => m.name === 'pg-dr') as MemberInfo
  t.equal(dr.role, 'replica')
  t.equal(dr.pgPort, 25213)
  const patroni = JSON.parse((await restCall(`${dr.apiUrl}/patroni`)).body) as { tags: Record<string, boolean> }
  t.match(patroni.tags, { nofailover: true, noloadbalance: true, nosync: true })
  const leader = await cluster.leader()
  const rows = await queryOnce<{ application_name: string }>(cluster.pgConnectionString(leader.name, 'superuser'),
    "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'")
  t.ok(rows.some((r) => r.application_name === 'pg-dr'), 'pg-dr streams from the leader')
  await t.rejects(cluster.switchover('pg-dr'), { code: 'LC_SWITCHOVER_FAILED' })
  t.equal(cluster.patroniUrls.length, 4)
})

t.test('reinitMember re-clones a replica from the leader; the leader refuses', async (t) => {
  const dataDir = '.data/local-cluster/it-three/nodes/pg-dr/data'
  const before = await readPostmasterPid(fileURLToPath(new URL(`../../../../${dataDir}`, import.meta.url)))
  await cluster.reinitMember('pg-dr')
  const after = await readPostmasterPid(fileURLToPath(new URL(`../../../../${dataDir}`, import.meta.url)))
  t.not(after?.pid, before?.pid, 'a new postmaster runs on the fresh clone')
  await cluster.waitReady() // pg-dr streams again
  await t.rejects(cluster.reinitMember((await cluster.leader()).name), { code: 'LC_REST_FAILED', message: /answered 503/ })
})

t.test('stopping the etcd leader keeps the Patroni leader; the member comes back', async (t) => {
  const leader = (await cluster.leader()).name
  const index = await etcdLeaderIndex()
  await cluster.stopEtcdMember(index)
  t.equal(await probe(`http://127.0.0.1:${etcdClientPorts[index]}`, '/health', 300), 0, 'the stopped member is down')
  // Observe for one TTL plus a loop (the time a lost leader lock would take to expire): the
  // leader must answer /primary throughout.
  const until = Date.now() + 11_000
  const seen: string[] = []
  while (Date.now() < until) {
    seen.push((await cluster.leader()).name)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  t.ok(seen.length > 10, `observed ${seen.length} times`)
  t.strictSame([...new Set(seen)], [leader], 'the same leader answered /primary every time')
  await cluster.startEtcdMember(index)
  await waitFor('the etcd member to be healthy again', async () =>
    (await probe(`http://127.0.0.1:${etcdClientPorts[index]}`, '/health', 500)) === 200, { timeoutMs: 30_000 })
  await cluster.waitReady()
  t.equal((await cluster.leader()).name, leader)
})

t.test('haproxy (Patroni docs config) routes to the primary, and follows a switchover', async (t) => {
  const members = await cluster.status()
  await using proxy = await startHaproxy({
    port: 25230,
    mode: 'patroni-primary',
    backends: members.map((m) => ({ name: m.name, host: m.host, port: m.pgPort, checkPort: Number(new URL(m.apiUrl).port) })),
  })
  const through = `postgresql://${cluster.credentials.app.user}:${encodeURIComponent(cluster.credentials.app.password)}@127.0.0.1:${proxy.port}/birthday`
  const landsOn = async (): Promise<{ port: number; recovery: boolean }> => {
    const [row] = await queryOnce<{ port: number; recovery: boolean }>(through,
      'SELECT inet_server_port() AS port, pg_is_in_recovery() AS recovery')
    return row as { port: number; recovery: boolean }
  }
  const routedTo = async (pgPort: number): Promise<void> => {
    let streak = 0
    await waitFor(`haproxy to route only to port ${pgPort}`, async () => {
      const row = await landsOn()
      streak = row.port === pgPort && !row.recovery ? streak + 1 : 0
      return streak >= 5
    }, { timeoutMs: 30_000 })
  }
  const leader = await cluster.leader()
  await routedTo(leader.pgPort)
  t.pass(`routes to ${leader.name}`)
  const { to } = await cluster.switchover(members.find((m) => m.role === 'sync_standby')!.name)
  await routedTo(members.find((m) => m.name === to)!.pgPort)
  t.pass(`after the switchover routes to ${to}`)
  await proxy.close()
  t.notOk(await isAlive({ pid: proxy.pid, marker: proxy.configFile }), 'haproxy stopped')
})

t.test('close() leaves no recorded process', async (t) => {
  const records = await recordedProcesses(options)
  t.equal(records.length, 11, '3 etcd, 4 Patroni, 4 postmasters')
  await cluster[Symbol.asyncDispose]()
  for (const r of records) t.notOk(await isAlive(r), `pid ${r.pid} is gone`)
})
