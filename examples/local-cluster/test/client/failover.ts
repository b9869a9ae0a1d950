// Steady idempotent writes (~200/s) through HaPgClient across a switchover, a kill -9 of the leader and a
// SIGSTOP of the leader's Patroni, on one real cluster (fast timing 10/1/4, synchronous_mode, failsafe_mode).
// Every write returns the port of the server that acknowledged it, so the test can tell which leader
// acknowledged what, and attribute any loss.
import t from 'tap'
import { HaPgClient } from '@birthday-ha/ha-pg-client'
import { startCluster, type LocalCluster, type MemberInfo } from '../../src/index.js'
import { CREATE_SQL, UPSERT_SQL, WriteLoad, ackPort, longestAckGap, type LoadReport, type Writer } from '../../src/bench/write-load.js'
import { missingAcked } from '../../src/bench/verify.js'
import { watchPromotion } from '../../src/bench/promotion-watch.js'

t.setTimeout(900_000)

let cluster: LocalCluster
let client: HaPgClient
const TABLE = 'client_failover_acks'
let nextId = 1
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const writer = (): Writer => ({
  label: 'HaPgClient',
  write: async (id) => ackPort(await client.query(UPSERT_SQL(TABLE), [id], { idempotent: true })),
  close: async () => {},
})

t.before(async () => {
  cluster = await startCluster({ name: 'client-failover', basePort: 26000, etcdMembers: 1 })
  const { app, restApi } = cluster.credentials
  client = new HaPgClient({ patroniUrls: cluster.patroniUrls, patroniAuth: restApi, pg: { user: app.user, password: app.password, database: app.database } })
  await client.query(CREATE_SQL(TABLE))
})

t.teardown(async () => {
  await client?.close()
  await cluster?.close()
})

interface FaultRun {
  report: LoadReport
  /** Acknowledged ids missing on the leader at the end. */
  missing: number[]
  old: MemberInfo
  /** When another member first answered `/primary` 200 (polled every 50 ms). */
  promotedAt: number
  final: string
  changes: string[]
  stallMs: number
}

interface Fault {
  at: number
  /** Runs after the load stopped (e.g. restart the killed member, resume the frozen one). */
  after?: () => Promise<void>
  /**
   * How to wait before checking the acknowledged writes: `ready` (harness `waitReady`: one leader, all
   * streaming, a `/sync`), or `stable-leader` (one `/primary` 200, the same member for 5 s). The check
   * only needs the latter; after a SIGSTOP/SIGCONT Patroni 3.0.2 under load can take minutes to name a
   * sync standby again, which says nothing about the client.
   */
  settle?: 'ready' | 'stable-leader'
}

/** Waits until exactly one member answers `/primary` 200 and it stays the same for `forMs`. */
async function stableLeader(forMs: number, timeoutMs: number): Promise<MemberInfo> {
  const until = Date.now() + timeoutMs
  let current: MemberInfo | undefined
  let since = Date.now()
  for (;;) {
    const now = await cluster.leader().catch(() => undefined)
    if (now?.name !== current?.name) {
      current = now
      since = Date.now()
    } else if (current !== undefined && Date.now() - since >= forMs) return current
    if (Date.now() > until) throw new Error(`no stable leader within ${timeoutMs} ms (last seen: ${current?.name ?? 'none'})`)
    await sleep(250)
  }
}

/** Runs the load around `fault`, waits until the client acknowledged 2 s of writes on a new leader, then checks every acknowledged write. */
async function throughFault(t: { comment(message: string): void }, fault: () => Promise<Fault>): Promise<FaultRun> {
  await cluster.waitReady({ timeoutMs: 180_000 })
  const members = await cluster.status()
  const old = await cluster.leader()
  const changes: string[] = []
  const onChange = (e: { from: string | null; to: string; timeline: number }): void => void changes.push(`${e.from}->${e.to}@tl${e.timeline}`)
  client.on('leaderChanged', onChange)
  const load = new WriteLoad(writer(), { ratePerSec: 200, firstId: nextId })
  load.start()
  await sleep(1_500)
  const watch = watchPromotion(cluster.patroniUrls, old.name, (name) => (members.find((m) => m.name === name) as MemberInfo).apiUrl)
  const { at, after, settle = 'ready' } = await fault()
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && !(client.stats().leader?.name !== old.name && client.stats().leaseValid)) await sleep(50)
  await sleep(2_000)
  const promoted = await Promise.race([watch.stop(), sleep(5_000).then(() => undefined)])
  const report = await load.stop()
  nextId += report.ops.length + 1
  client.off('leaderChanged', onChange)
  await after?.()
  const final = settle === 'ready' ? (await cluster.waitReady({ timeoutMs: 180_000 }), await cluster.leader()) : await stableLeader(5_000, 180_000)
  const missing = await missingAcked(cluster.pgConnectionString(final.name), TABLE, report.acked)
  const stallMs = longestAckGap(report.ops, at).gapMs
  const codes = [...new Set(report.ops.filter((o) => !o.ok).map((o) => o.code))].join(', ')
  t.comment(`acked=${report.acked.length} failed=${report.failed}${codes === '' ? '' : ` (${codes})`} missing=${missing.length} longest stall=${stallMs} ms; ` +
    `promotion ${promoted === undefined ? '?' : promoted.at - at} ms after the fault; client leader changes: ${changes.join(', ')}; leader now ${final.name}`)
  return { report, missing, old, promotedAt: promoted?.at ?? Number.NaN, final: final.name, changes, stallMs }
}

t.test('switchover: zero failed writes, none lost', async (t) => {
  const r = await throughFault(t, async () => ({ at: (await cluster.switchover()).at }))
  t.equal(r.report.failed, 0, 'no failed write')
  t.strictSame(r.missing, [], 'every acknowledged write is on the new leader')
  t.not(r.final, r.old.name, 'the leader moved')
  t.ok(r.changes.some((c) => c.includes(`->${r.final}@`)), 'the client followed the leader')
})

t.test('kill -9 of the leader: writes resume on the new leader, none lost (synchronous_mode)', async (t) => {
  const r = await throughFault(t, async () => {
    const k = await cluster.killLeader()
    return { at: k.at, after: async () => cluster.startMember(k.name) }
  })
  t.equal(r.report.failed, 0, 'idempotent writes are retried through the failover')
  t.strictSame(r.missing, [], 'every acknowledged write is on the new leader')
  t.ok(r.report.ops.some((o) => o.ok && o.server !== r.old.pgPort), 'writes were acknowledged by a new leader')
})

t.test('SIGSTOP of the leader Patroni: no ack from the frozen leader once a new leader exists', async (t) => {
  let frozen = ''
  let takenBack = false
  const r = await throughFault(t, async () => {
    const h = await cluster.hangLeader()
    frozen = h.name
    return {
      at: h.at,
      settle: 'stable-leader',
      after: async () => {
        await h.resume()
        // Patroni 3.0.2 (fixed upstream by patroni PR #2689): the resumed leader may take the key back,
        // and the interim leader is then rewound. Watch for it for a few loops.
        const until = Date.now() + 8_000
        while (Date.now() < until && !takenBack) {
          takenBack = (await cluster.leader().catch(() => undefined))?.name === frozen
          await sleep(250)
        }
      },
    }
  })
  t.ok(Number.isFinite(r.promotedAt), 'another member was promoted')
  const lateAcks = r.report.ops.filter((o) => o.ok && o.server === r.old.pgPort && o.end >= r.promotedAt)
  t.strictSame(lateAcks.map((o) => o.id), [], 'no write acknowledged by the frozen leader after the new leader answered /primary 200')
  t.equal(r.report.failed, 0, 'idempotent writes wait for the new leader instead of failing')
  const byId = new Map(r.report.ops.map((o) => [o.id, o]))
  const lostFromFrozen = r.missing.filter((id) => byId.get(id)?.server === r.old.pgPort)
  const lostFromInterim = r.missing.filter((id) => byId.get(id)?.server !== r.old.pgPort)
  t.strictSame(lostFromFrozen, [], 'no write acknowledged by the frozen leader is lost')
  if (takenBack) {
    t.comment(`Patroni 3.0.2 gave the key back to ${frozen}: ${lostFromInterim.length} writes acknowledged by the interim leader were rewound away (patroni PR #2689)`)
  } else {
    t.strictSame(lostFromInterim, [], 'every write acknowledged by the new leader is on the leader')
  }
})
