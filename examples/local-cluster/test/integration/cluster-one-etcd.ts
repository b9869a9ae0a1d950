// A 3-node cluster on 1 etcd member (fast profile), reused for every check in this file.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { attachCluster, startCluster, type MemberInfo } from '../../src/index.js'
import { probe, restCall } from '../../src/patroni-rest.js'
import { queryOnce } from '../../src/pg-query.js'
import { isAlive } from '../../src/processes.js'
import { waitFor } from '../../src/wait.js'
import { recordedProcesses } from './fixtures/recorded.js'

const logs: string[] = []
const options = { name: 'it-one', basePort: 25100, etcdMembers: 1, timing: 'fast', log: (line: string) => logs.push(line) } as const
const cluster = await startCluster(options)
// On failure the data dir (Patroni, PostgreSQL and etcd logs) stays for inspection; the next run wipes it.
t.teardown(async () => await cluster.close({ removeData: t.passing() }))

const byRole = (members: MemberInfo[], role: string): MemberInfo[] => members.filter((m) => m.role === role)
const streamingOn = async (leader: MemberInfo): Promise<string[]> =>
  (await queryOnce<{ application_name: string }>(cluster.pgConnectionString(leader.name, 'superuser'),
    "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming' ORDER BY 1")).map((r) => r.application_name)

t.test('ready means one primary, the others streaming by application_name, and a sync standby', async (t) => {
  t.match(logs.join('\n'), /started etcd0 .*\n.*started Patroni pg1[^]*cluster it-one ready in/)
  const leader = await cluster.leader()
  const members = await cluster.status()
  t.equal(members.length, 3)
  t.equal(byRole(members, 'leader').length, 1)
  t.equal(byRole(members, 'sync_standby').length, 1)
  t.equal(leader.role, 'leader')
  t.equal(leader.apiUrl, `http://127.0.0.1:${leader.pgPort + 10}`)
  t.strictSame(await streamingOn(leader), members.filter((m) => m !== members.find((x) => x.name === leader.name)).map((m) => m.name))
  const sync = byRole(members, 'sync_standby')[0]!
  t.equal(await probe(sync.apiUrl, '/sync'), 200)
  t.ok(members.every((m) => m.timeline === 1), 'timeline 1 everywhere')
  t.ok(members.filter((m) => m.role !== 'leader').every((m) => typeof m.lagBytes === 'number'))
})

t.test('env and credentials: the app role is a non-superuser confined to its database', async (t) => {
  const env = cluster.env()
  t.strictSame(Object.keys(env), ['PATRONI_URLS', 'PGUSER', 'PGPASSWORD', 'PGDATABASE'])
  t.equal(env.PATRONI_URLS, 'http://127.0.0.1:25120,http://127.0.0.1:25121,http://127.0.0.1:25122')
  t.strictSame([env.PGUSER, env.PGDATABASE, env.PGPASSWORD], [cluster.credentials.app.user, 'birthday', cluster.credentials.app.password])
  const leader = await cluster.leader()
  const [who] = await queryOnce<{ user: string; db: string; su: boolean }>(cluster.pgConnectionString(leader.name),
    'SELECT current_user AS user, current_database() AS db, rolsuper AS su FROM pg_roles WHERE rolname = current_user')
  t.strictSame(who, { user: 'birthday_app', db: 'birthday', su: false })
  await queryOnce(cluster.pgConnectionString(leader.name), 'CREATE TABLE acked (id int PRIMARY KEY)')
  await queryOnce(cluster.pgConnectionString(leader.name), 'INSERT INTO acked SELECT generate_series(1, 100)')
  const toPostgresDb = cluster.pgConnectionString(leader.name).replace(/\/birthday$/, '/postgres')
  await t.rejects(queryOnce(toPostgresDb, 'SELECT 1'), /pg_hba\.conf rejects connection/, 'pg_hba rejects the app role elsewhere')
  t.strictSame(await queryOnce(cluster.pgConnectionString(leader.name, 'superuser'), 'SELECT 1 AS one'), [{ one: 1 }])
  const again = await attachCluster({ name: 'it-one' })
  t.strictSame(again.credentials, cluster.credentials)
  t.strictSame(again.patroniUrls, cluster.patroniUrls)
  t.equal((await again.status()).length, 3)
  t.throws(() => cluster.pgConnectionString('pg9'), { code: 'LC_UNKNOWN_MEMBER' })
  await t.rejects(cluster.killMember('pg9'), { code: 'LC_UNKNOWN_MEMBER' })
  await t.rejects(cluster.patroniPid('pg9'), { code: 'LC_UNKNOWN_MEMBER' })
  const pid = await cluster.patroniPid(leader.name)
  t.match(await readFile(`/proc/${pid}/cmdline`, 'utf8'), /patroni/, 'the PID is its Patroni')
  await t.rejects(cluster.switchover('pg9'), { code: 'LC_UNKNOWN_MEMBER' })
  await t.rejects(cluster.stopEtcdMember(1), { code: 'LC_UNKNOWN_MEMBER', message: /0-0/ })
})

t.test('switchover to a named candidate (the sync standby); a non-sync one is refused', async (t) => {
  const members = await cluster.status()
  const from = byRole(members, 'leader')[0]!.name
  const candidate = byRole(members, 'sync_standby')[0]!.name
  const result = await cluster.switchover(candidate)
  t.strictSame([result.from, result.to], [from, candidate])
  t.ok(result.at <= Date.now())
  await cluster.waitReady()
  const leader = await cluster.leader()
  t.equal(leader.name, candidate)
  t.equal(leader.timeline, 2)
  const asyncReplica = byRole(await cluster.status(), 'replica')[0]!
  await t.rejects(cluster.switchover(asyncReplica.name), { code: 'LC_SWITCHOVER_FAILED', message: /412.*sync_standby/ })
  const random = await cluster.switchover()
  t.not(random.to, random.from, 'no candidate: Patroni picks one')
  await cluster.waitReady()
})

t.test('kill-leader: another node takes over on a higher timeline, acknowledged rows survive, restart rewinds', async (t) => {
  const before = await cluster.leader()
  const killedPids = (await recordedProcesses(options)).filter((r) => r.marker.includes(`/nodes/${before.name}/`))
  t.equal(killedPids.length, 2, 'Patroni and postmaster recorded')
  const { name, at } = await cluster.killLeader()
  t.equal(name, before.name)
  t.ok(at <= Date.now())
  for (const r of killedPids) t.notOk(await isAlive(r), `pid ${r.pid} is gone`)
  await cluster.waitReady()
  const after = await cluster.leader()
  t.not(after.name, before.name)
  t.ok((after.timeline as number) > (before.timeline as number), 'timeline increased')
  const [{ n }] = (await queryOnce<{ n: string }>(cluster.pgConnectionString(after.name), 'SELECT count(*) AS n FROM acked')) as [{ n: string }]
  t.equal(n, '100')
  await cluster.startMember(name)
  await cluster.waitReady()
  t.ok((await streamingOn(after)).includes(name), `${name} streams again after pg_rewind`)
})

t.test('hang-leader: another node takes over; after resume the cluster is ready again', async (t) => {
  const hung = await cluster.hangLeader()
  t.equal(await probe(cluster.patroniUrls[Number(hung.name.slice(2)) - 1]!, '/primary', 300), 0, 'a frozen Patroni never answers')
  const next = await waitFor('another leader', async () => {
    const leader = await cluster.leader().catch(() => undefined)
    return leader !== undefined && leader.name !== hung.name ? leader : undefined
  }, { timeoutMs: 60_000 })
  t.not(next.name, hung.name)
  await hung.resume()
  // waitReady also repairs the /sync wedge Patroni 3.0.2 can leave after a resume (tested below).
  const ready = await cluster.waitReady({ timeoutMs: 30_000 }).then(() => undefined, (err: unknown) => err as Error)
  if (ready !== undefined) {
    // Patroni 3.0.2 (notes #11, measured here too): the resumed leader may take the leader key
    // back; the node promoted meanwhile is then on a newer timeline than the leader ("highest
    // timeline N of the primary is behind recovery timeline N+1") and never streams again.
    // Reinitializing it is the operator's fix; only that symptom is tolerated.
    const stuck = /last error: (.+) not streaming from/.exec(ready.message)
    t.ok(stuck, `only a replica that cannot follow is tolerated: ${ready.message}`)
    for (const name of (stuck?.[1] ?? '').split(', ')) {
      t.comment(`Patroni 3.0.2 handed the key back to ${hung.name}; reinitializing ${name}`)
      await cluster.reinitMember(name)
    }
    await cluster.waitReady()
  }
  t.pass(`leader after resume: ${(await cluster.leader()).name} (Patroni 3.0.2 may hand the key back, notes #11)`)
})

t.test('waitReady repairs a /sync key left naming another node (the Patroni 3.0.2 wedge seen after a resume)', async (t) => {
  const leader = await cluster.leader()
  const other = (await cluster.status()).find((m) => m.role === 'replica' || m.role === 'sync_standby')!.name
  const b64 = (s: string): string => Buffer.from(s).toString('base64')
  // What the resumed old leader left behind in the measured runs: its own name, no sync standby.
  await restCall('http://127.0.0.1:25100/v3/kv/put', {
    method: 'POST', body: { key: b64('/service/it-one/sync'), value: b64(JSON.stringify({ leader: other, sync_standby: null })) },
  })
  await waitFor('no node to answer /sync', async () =>
    (await Promise.all(cluster.patroniUrls.map(async (url) => await probe(url, '/sync')))).every((s) => s !== 200), { timeoutMs: 10_000 })
  await cluster.waitReady()
  t.ok(logs.some((line) => line.startsWith(`the /sync key names another node than leader ${leader.name} (Patroni 3.0.2 bug)`)), 'repaired')
  const members = await cluster.status()
  t.equal(members.filter((m) => m.role === 'sync_standby').length, 1, 'a sync standby again')
  t.equal((await cluster.leader()).name, leader.name, 'the leader did not change')
})

t.test('close() stops every recorded process, is idempotent, and the cluster refuses further use', async (t) => {
  const records = await recordedProcesses(options)
  t.equal(records.length, 7, 'etcd, 3 Patroni, 3 postmasters')
  await cluster.close()
  for (const r of records) t.notOk(await isAlive(r), `pid ${r.pid} (${r.marker.split('/').slice(-2).join('/')}) is gone`)
  await cluster.close()
  await t.rejects(cluster.waitReady(), { code: 'LC_CLOSED' })
  await t.rejects(cluster.killLeader(), { code: 'LC_CLOSED' })
  await t.rejects(cluster.status(), { code: 'LC_CLOSED' })
})
