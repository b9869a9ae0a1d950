// Steady idempotent writes through HaPgClient across a switchover, a kill -9 of the leader and a
// SIGSTOP of the leader's Patroni, on a real cluster (fast timing 10/1/4, synchronous_mode as configured).
import t from 'tap'
import { HaPgClient } from '@birthday-ha/ha-pg-client'
import { startCluster, type LocalCluster } from '../../src/index.js'
import { CREATE_SQL, UPSERT_SQL, WriteLoad, longestAckGap, type Writer } from '../../src/bench/write-load.js'
import { missingAcked } from '../../src/bench/verify.js'

t.setTimeout(900_000)

let cluster: LocalCluster
let client: HaPgClient
const TABLE = 'client_failover_acks'
let nextId = 1

const writer = (): Writer => ({
  label: 'HaPgClient',
  write: async (id) => void (await client.query(UPSERT_SQL(TABLE), [id], { idempotent: true })),
  close: async () => {},
})

t.before(async () => {
  cluster = await startCluster({ name: 'client-failover', basePort: 26000 })
  await cluster.waitReady()
  const { app, restApi } = cluster.credentials
  client = new HaPgClient({ patroniUrls: cluster.patroniUrls, patroniAuth: restApi, pg: { user: app.user, password: app.password, database: app.database } })
  await client.query(CREATE_SQL(TABLE))
})

t.teardown(async () => {
  await client?.close()
  await cluster?.close()
})

/** Runs the load around `fault`, then checks every acknowledged write on the leader. */
async function throughFault(t: { comment(message: string): void }, fault: () => Promise<{ at: number; after?: () => Promise<void> }>) {
  const changes: string[] = []
  const onChange = (e: { from: string | null; to: string }) => changes.push(`${e.from}->${e.to}`)
  client.on('leaderChanged', onChange)
  const load = new WriteLoad(writer(), { ratePerSec: 200, firstId: nextId })
  load.start()
  await new Promise((r) => setTimeout(r, 1_500))
  const { at, after } = await fault()
  // keep writing until the client has acknowledged 2 s of writes on the new leader
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && (changes.length === 0 || !(client.stats().leaseValid))) await new Promise((r) => setTimeout(r, 100))
  await new Promise((r) => setTimeout(r, 2_000))
  const report = await load.stop()
  nextId += report.ops.length + 1
  client.off('leaderChanged', onChange)
  await after?.()
  await cluster.waitReady({ timeoutMs: 120_000 })
  const leader = await cluster.leader()
  const missing = await missingAcked(cluster.pgConnectionString(leader.name, 'superuser'), TABLE, report.acked)
  const gap = longestAckGap(report.ops, at)
  t.comment(`acked=${report.acked.length} failed=${report.failed} longest-stall=${gap.gapMs}ms leader ${changes.join(', ')} → now ${leader.name}`)
  return { report, missing, gap, changes, leader: leader.name }
}

t.test('switchover: zero failed writes, none lost', async (t) => {
  const r = await throughFault(t, async () => ({ at: (await cluster.switchover()).at }))
  t.equal(r.report.failed, 0, 'no failed write')
  t.strictSame(r.missing, [], 'every acknowledged write is on the new leader')
  t.ok(r.changes.length >= 1, 'the client followed the leader')
})

t.test('kill -9 of the leader: writes resume on the new leader, none lost', async (t) => {
  let killed = ''
  const r = await throughFault(t, async () => {
    const k = await cluster.killLeader()
    killed = k.name
    return { at: k.at, after: async () => cluster.startMember(killed) }
  })
  t.equal(r.report.failed, 0, 'idempotent writes are retried through the failover')
  t.strictSame(r.missing, [], 'every acknowledged write is on the new leader')
  t.not(r.changes.at(-1)?.endsWith(`->${killed}`), true)
})

t.test('SIGSTOP of the leader Patroni: no write acknowledged by the frozen leader is lost', async (t) => {
  let frozen = ''
  let takenBack = false
  const r = await throughFault(t, async () => {
    const h = await cluster.hangLeader()
    frozen = h.name
    return {
      at: h.at,
      after: async () => {
        await h.resume()
        await new Promise((r) => setTimeout(r, 5_000))
        // Patroni 3.0.2 bug (fixed by patroni PR #2689): the resumed leader may take the key back.
        takenBack = (await cluster.leader().catch(() => undefined))?.name === frozen
      },
    }
  })
  t.equal(r.report.failed, 0, 'idempotent writes wait for the new leader instead of failing')
  if (takenBack) {
    t.comment(`Patroni 3.0.2 took the key back to ${frozen}: ${r.missing.length} acknowledged writes of the new leader were rewound away (patroni PR #2689)`)
  } else {
    t.strictSame(r.missing, [], 'every acknowledged write is on the leader')
  }
})
