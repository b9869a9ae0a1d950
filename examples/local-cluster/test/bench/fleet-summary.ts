import t from 'tap'
import { followed, median, phaseFigures, spread, type WorkerReport } from '../../src/bench/fleet-summary.js'

const report = (n: number, restCalls: number, o: Partial<WorkerReport> = {}): WorkerReport => ({ id: `100:${n}`, restCalls, leader: 'pg1', leaseValid: true, lastAckAt: 1_000, failed: 0, ...o })

t.test('REST calls per second per client and in all, between two snapshots', async (t) => {
  const before = [report(1, 10), report(2, 20), report(3, 30)]
  const after = [report(1, 30), report(2, 60), report(3, 90), report(4, 500)] // client 4 started later: left out
  t.same(phaseFigures(before, after, 10_000), { clients: 3, ms: 10_000, perClient: { median: 4, min: 2, max: 6 }, total: 12 })
  t.throws(() => phaseFigures(before, after, 0), RangeError)
  t.throws(() => phaseFigures(before, [report(9, 1)], 1_000), { message: /no client/ })
})

t.test('a client followed the failover: a lease on another leader and a write acknowledged after the fault', async (t) => {
  t.ok(followed(report(1, 0, { leader: 'pg2', lastAckAt: 2_000 }), 'pg1', 1_500))
  t.notOk(followed(report(1, 0, { leader: 'pg1', lastAckAt: 2_000 }), 'pg1', 1_500), 'the old leader')
  t.notOk(followed(report(1, 0, { leader: null, leaseValid: false, lastAckAt: 2_000 }), 'pg1', 1_500), 'no leader')
  t.notOk(followed(report(1, 0, { leader: 'pg2', leaseValid: false, lastAckAt: 2_000 }), 'pg1', 1_500), 'no lease')
  t.notOk(followed(report(1, 0, { leader: 'pg2', lastAckAt: 1_000 }), 'pg1', 1_500), 'no write since the fault')
})

t.test('median and median [min–max]', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
  t.throws(() => median([]), RangeError)
  t.equal(spread([1.234]), '1')
  t.equal(spread([3, 1, 2], 1), '2.0 [1.0–3.0]')
})
