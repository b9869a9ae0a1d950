import t from 'tap'
import { analyse, fromSaved, table, type FaultLog } from '../../src/bench/analyse.js'
import type { WriteOp } from '../../src/bench/write-load.js'

const OLD = '10.10.11.10:5432'
const NEW = '10.10.12.10:5432'
// Acks every 10 ms until the fault at 1000, none until 3000, then from the new leader; `late` adds acks by the old one.
function log(fault: FaultLog['fault'], late: WriteOp[] = [], o: Partial<FaultLog> = {}): FaultLog {
  const ops: WriteOp[] = []
  for (let at = 0, id = 1; at < 6_000; at += 10, id++) {
    if (at >= 1_000 && at < 3_000) continue
    ops.push({ id, start: at, end: at + 5, ok: true, server: at < 1_000 ? OLD : NEW })
  }
  ops.push({ id: 9_999, start: 1_000, end: 1_200, ok: false, code: 'HAPG_FAILOVER_TIMEOUT' }, ...late)
  return { run: 1, fault, writer: 'HaPgClient', at: 1_000, until: 6_000, promotedAt: 2_500, oldServer: OLD, takenBack: false, missing: [], ops, ...o }
}

t.test('the outage, when writes came back, and the failed writes', async (t) => {
  t.match(analyse(log('blackhole')), { fault: 'blackhole', promotionMs: 1_500, outageMs: 3_005 - 995, backMs: 2_005, failed: 1, lost: 0, lateAcks: 0 })
})

t.test('no outage at all, and no recovery', async (t) => {
  const steady: FaultLog = { ...log('switchover'), ops: Array.from({ length: 600 }, (_, i) => ({ id: i, start: i * 10, end: i * 10 + 5, ok: true, server: OLD })) }
  t.match(analyse(steady), { outageMs: 10, backMs: 5 }, 'the ordinary gap between two acks')
  t.match(analyse({ ...steady, ops: [] }), { outageMs: Number.POSITIVE_INFINITY, backMs: Number.POSITIVE_INFINITY })
  t.match(analyse({ ...steady, at: 5_996, until: 6_000 }), { outageMs: 0, backMs: 0 }, 'a window with no ack due yet')
})

t.test('acks by the old leader after the new one existed count for every fault undone under load (SIGSTOP, partition, blackhole)', async (t) => {
  const late = [{ id: 8_001, start: 2_400, end: 2_600, ok: true, server: OLD }, { id: 8_002, start: 900, end: 2_400, ok: true, server: OLD }]
  t.equal(analyse(log('partition', late)).lateAcks, 1, 'only the one after the promotion')
  t.equal(analyse(log('SIGSTOP', late)).lateAcks, 1)
  t.equal(analyse(log('kill -9', late)).lateAcks, 0, 'not counted where the old leader is gone or handed over')
  const afterUndo = [{ id: 8_003, start: 6_100, end: 6_200, ok: true, server: OLD }]
  t.equal(analyse(log('partition', afterUndo)).lateAcks, 0, 'after the heal the old member may lead again')
})

t.test('a take-back: what the interim leader acknowledged and lost is the bug, the rest is lost', async (t) => {
  const r = analyse(log('SIGSTOP', [], { takenBack: true, missing: [400, 50] }))
  t.equal(r.lostToBug, 1, 'id 400 was acknowledged by the new leader')
  t.equal(r.lost, 1, 'id 50, by the old one')
  t.equal(analyse(log('partition', [], { missing: [400] })).lost, 1)
})

t.test('the table: medians with ranges, the late-ack columns only where they apply', async (t) => {
  const rows = [analyse(log('partition')), { ...analyse(log('partition')), run: 2, outageMs: Number.POSITIVE_INFINITY, backMs: Number.POSITIVE_INFINITY }, analyse(log('switchover')), { ...analyse(log('kill -9')), promotionMs: Number.NaN }]
  const md = table(rows)
  t.match(md, /\| partition \| HaPgClient \| 1500 \[1500\] \| 2010 \[2010–no recovery\] \| 2005 \[2005–no recovery\] \| 1 \[1\] \| 0 \[0\] \| 0 \[0\] \| 0 \[0\] \|/)
  t.match(md, /\| switchover \| HaPgClient \| 1500 \| 2010 \| 2005 \| 1 \| 0 \| – \| – \|/)
  t.match(md, /\| kill -9 \| HaPgClient \| \? \|/, 'no promotion seen')
  t.ok(md.indexOf('| switchover') < md.indexOf('| kill -9') && md.indexOf('| kill -9') < md.indexOf('| partition'), 'faults in their order')
  t.notMatch(md, /blackhole/, 'a fault without rows has no line')
  t.match(table([{ ...rows[0]!, writer: 'libpq (pg-native)' }]), /\| partition \| libpq \(pg-native\) \| same \|/)
})

t.test('saved logs of an older bench (servers named by port, no run or promotion) still analyse', async (t) => {
  const old = { fault: 'SIGSTOP' as const, writer: 'HaPgClient', at: 1_000, until: 6_000, oldPort: 25_110, takenBack: false, missing: [], ops: [{ id: 1, start: 2_000, end: 2_100, ok: true, server: 25_110 }, { id: 2, start: 2_000, end: 2_100, ok: false }] }
  const l = fromSaved(old, '3-SIGSTOP-HaPgClient.json')
  t.equal(l.run, 3)
  t.equal(l.oldServer, '25110')
  t.strictSame(l.ops.map((o) => o.server), ['25110', undefined])
  t.ok(Number.isNaN(l.promotedAt))
  const now = fromSaved({ ...old, run: 1, promotedAt: 1_500, oldServer: OLD, ops: [{ id: 1, start: 2_000, end: 2_100, ok: true, server: OLD }] }, 'x.json')
  t.strictSame([now.run, now.promotedAt, now.oldServer, now.ops[0]?.server], [1, 1_500, OLD, OLD])
  t.equal(analyse(l).lateAcks, 0, 'NaN promotion: no late ack can be placed')
})
