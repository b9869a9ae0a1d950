import t from 'tap'
import { cpuMsFromStat, followed, meanCpuPercent, median, phaseFigures, spread, type WorkerReport } from '../../src/bench/fleet-summary.js'

const report = (n: number, restCalls: number, o: Partial<WorkerReport> = {}): WorkerReport => ({ id: `100:${n}`, restCalls, leader: 'pg1', leaseValid: true, lastAckAt: 1_000, failed: 0, leaderChangedAt: 0, firstAckAfterChangeAt: 0, ...o })

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

t.test('CPU time from /proc/<pid>/stat, and the mean share of a core between two readings', async (t) => {
  // a real line's shape (proc(5)); the command name holds a space and a parenthesis
  const stat = '4242 (patroni (x)) S 1 4242 4242 0 -1 4194560 9000 0 0 0 250 50 0 0 20 0 3 0 100 0 0'
  t.equal(cpuMsFromStat(stat, 100), 3_000, '250 + 50 ticks at 100 per second')
  t.throws(() => cpuMsFromStat('garbage', 100), { message: /not a \/proc\/<pid>\/stat line/ })
  const before = new Map([['pg1', 1_000], ['pg2', 2_000]])
  const after = new Map([['pg1', 1_500], ['pg2', 3_000], ['pg3', 9_000]]) // pg3 started later: left out
  t.equal(meanCpuPercent(before, after, 10_000), 7.5, '5 % and 10 % of a core')
  t.throws(() => meanCpuPercent(before, after, 0), RangeError)
  t.throws(() => meanCpuPercent(before, new Map([['pg9', 1]]), 1_000), { message: /no process/ })
})
