// Debian 13's Patroni 4.0.7 (unpacked beside Debian 12's 3.0.2) on 1 etcd member, asynchronous:
// its REST shapes, its ttl floor, a switchover, a kill -9 of the leader and the restart of the
// killed member through a fresh attach.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { attachCluster, startCluster } from '../../src/index.js'
import { resolveLayout } from '../../src/layout.js'
import { restCall } from '../../src/patroni-rest.js'
import { isAlive } from '../../src/processes.js'
import { readState } from '../../src/state-file.js'
import { waitFor } from '../../src/wait.js'
import { recordedProcesses } from './fixtures/recorded.js'

const logs: string[] = []
const options = { name: 'it-patroni4', basePort: 26500, etcdMembers: 1, synchronousMode: false, patroni: '4', log: (line: string) => logs.push(line) } as const
const started = Date.now()
const cluster = await startCluster(options)
const startMs = Date.now() - started
// On failure the data dir (Patroni, PostgreSQL and etcd logs) stays for inspection; the next run wipes it.
t.teardown(async () => await cluster.close({ removeData: t.passing() }))

const getJson = async <T>(url: string): Promise<T> => {
  const res = await restCall(url)
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`)
  return JSON.parse(res.body) as T
}
type PatroniInfo = { role: string; state: string; patroni: { version: string; scope: string } }
const patroniOf = async (apiUrl: string): Promise<PatroniInfo> => await getJson<PatroniInfo>(`${apiUrl}/patroni`)
const cmdlineOf = async (name: string): Promise<string> => {
  const pid = (await readState(resolveLayout(options)))?.patroniPids[name]
  return (await readFile(`/proc/${String(pid)}/cmdline`, 'utf8')).replaceAll('\0', ' ')
}

t.test('Patroni 4.0.7 runs from its own tree: role primary in /patroni, ttl raised to 20, 3.0.2 untouched', async (t) => {
  t.comment(`startCluster → ready: ${startMs} ms`)
  t.ok(logs.some((l) => l === "Patroni 4.0.7 from /var/cache/birthday-ha-patroni4, timing 20/1/4 (Patroni 4's minimums: ttl 20, retry_timeout 3)"))
  const leader = await cluster.leader()
  t.equal(leader.role, 'leader', '/cluster still says leader')
  t.match(await patroniOf(leader.apiUrl), { role: 'primary', state: 'running', patroni: { version: '4.0.7', scope: 'it-patroni4' } })
  const members = await cluster.status()
  t.equal(members.length, 3)
  for (const m of members.filter((x) => x.name !== leader.name)) {
    t.match(m, { role: 'replica', state: 'streaming', timeline: 1 }, `${m.name} in /cluster`)
    t.equal(typeof m.lagBytes, 'number')
    t.match(await patroniOf(m.apiUrl), { role: 'replica', patroni: { version: '4.0.7' } })
  }
  t.match(await getJson(`${leader.apiUrl}/config`), { ttl: 20, loop_wait: 1, retry_timeout: 4 }, 'the DCS holds ttl 20')
  t.match(await cmdlineOf(leader.name), /^\/usr\/bin\/python3 \/var\/cache\/birthday-ha-patroni4\/usr\/bin\/patroni \/.*\/nodes\/pg\d\/patroni\.yml $/)
  const state = await readState(resolveLayout(options))
  t.match(state, { patroni: '4', timing: { ttl: 20, loop_wait: 1, retry_timeout: 4 } }, 'recorded in the state file')
  const { stdout } = await promisify(execFile)('/usr/bin/patroni', ['--version'])
  t.equal(stdout.trim(), 'patroni 3.0.2', "Debian 12's Patroni is still the installed one")
})

t.test('switchover (Patroni picks the candidate)', async (t) => {
  const { from, to, at } = await cluster.switchover()
  t.comment(`switchover call → new /primary: ${Date.now() - at} ms`)
  t.not(to, from)
  await cluster.waitReady()
  const leader = await cluster.leader()
  t.strictSame([leader.name, leader.timeline], [to, 2])
  t.match(await patroniOf(leader.apiUrl), { role: 'primary' })
})

t.test('kill -9 of the leader: another takes over; restarted through a fresh attach, it runs Patroni 4 again', async (t) => {
  const before = await cluster.leader()
  const { name, at } = await cluster.killLeader()
  t.equal(name, before.name)
  const next = await waitFor('another leader', async () => {
    const leader = await cluster.leader().catch(() => undefined)
    return leader !== undefined && leader.name !== name ? leader : undefined
  }, { timeoutMs: 90_000, intervalMs: 100 })
  t.comment(`kill -9 → another node /primary 200: ${Date.now() - at} ms (ttl 20)`)
  await cluster.waitReady()
  // Only now: right after the promotion /cluster showed the new leader's old timeline; waitReady waits for the new one.
  const after = await cluster.leader()
  t.equal(after.name, next.name)
  t.ok((after.timeline as number) > (before.timeline as number), 'timeline increased')
  const attached = await attachCluster({ name: options.name })
  const restarted = Date.now()
  await attached.startMember(name)
  await cluster.waitReady()
  t.comment(`startMember(killed) → streaming again: ${Date.now() - restarted} ms`)
  t.match(await cmdlineOf(name), /^\/usr\/bin\/python3 \/var\/cache\/birthday-ha-patroni4\/usr\/bin\/patroni /, 'the same Patroni')
  const member = (await cluster.status()).find((m) => m.name === name)
  t.match(member, { role: 'replica', state: 'streaming' })
  t.match(await patroniOf(member!.apiUrl), { role: 'replica', patroni: { version: '4.0.7' } })
})

t.test('close() stops every recorded process', async (t) => {
  const records = await recordedProcesses(options)
  t.equal(records.length, 7, 'etcd, 3 Patroni, 3 postmasters')
  const closing = Date.now()
  await cluster.close()
  t.comment(`close: ${Date.now() - closing} ms`)
  for (const r of records) t.notOk(await isAlive(r), `pid ${r.pid} (${r.marker.split('/').slice(-2).join('/')}) is gone`)
})
