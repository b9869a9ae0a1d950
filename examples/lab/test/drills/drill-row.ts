import t from 'tap'
import type { LoadSummary } from '@birthday-ha/ha-demo/dist/index.js'
import { drillRow, failureNotes, formatDrillTable, gapTarget } from '../../src/drills/drill-row.js'

const summary = (over: Partial<LoadSummary> = {}): LoadSummary => ({
  sent: 1000, ok: 990, non2xx: 10, noAnswer: 0, unclean: 0, byStatus: { 200: 500, 204: 490, 503: 10 }, p50Ms: 3, p99Ms: 900, maxMs: 10_000,
  longestWriteGapMs: 21_500, longestWriteGapFrom: 0, ...over,
})
const failover = { id: 1, title: 'power-off of the leader host', gap: { kind: 'promotion', slackMs: 1_000 } } as const
const outcome = { promotionsMs: [20_800], checks: [{ name: 'old leader db1', ok: true, detail: 'rejoined as replica' }], notes: ['db1 → db2'] }

t.test('a failover drill is met within promotion + slack, with no loss and only clean 503s', async (t) => {
  const row = drillRow(failover, summary(), 0, outcome)
  t.equal(row.met, true)
  t.equal(row.promotionMs, 20_800)
  t.equal(row.target, '0 lost, clean 503s, gap ≤ promotion + 1 s')
  t.strictSame(row.notes, ['old leader db1: rejoined as replica', 'db1 → db2'])
})

t.test('each way to miss is named', async (t) => {
  const row = drillRow(failover, summary({ unclean: 2, longestWriteGapMs: 30_000 }), 3, { ...outcome, checks: [{ name: 'old leader db1', ok: false, detail: 'not rejoined' }] })
  t.equal(row.met, false)
  t.strictSame(row.notes, ['MISSED: 3 acknowledged writes lost', 'MISSED: 2 failures were not clean 503s', 'MISSED: write gap 30000 ms > 21800 ms', 'MISSED: old leader db1: not rejoined', 'db1 → db2'])
  t.strictSame(drillRow(failover, summary({ longestWriteGapMs: 500 }), 0, { promotionsMs: [], checks: [], notes: [] }).notes, ['MISSED: no promotion was seen'])
  t.strictSame(drillRow(failover, summary({ sent: 0, longestWriteGapMs: 0 }), 0, outcome).notes[0], 'MISSED: no request was sent')
})

t.test('a fixed gap bound, and the slowest of several promotions', async (t) => {
  const fixed = { id: 6, title: 'power-off of one app host', gap: { kind: 'fixed', maxMs: 3_000 } } as const
  t.equal(drillRow(fixed, summary({ longestWriteGapMs: 2_000 }), 0, { promotionsMs: [], checks: [], notes: [] }).met, true)
  t.equal(drillRow(fixed, summary({ longestWriteGapMs: 3_001 }), 0, { promotionsMs: [], checks: [], notes: [] }).met, false)
  t.equal(drillRow(failover, summary(), 0, { promotionsMs: [20_100, 22_000, 21_000], checks: [], notes: [] }).promotionMs, 22_000)
  t.equal(gapTarget(fixed.gap), 'gap ≤ 3 s')
})

t.test('the table', async (t) => {
  const rows = [drillRow(failover, summary(), 0, outcome), drillRow({ id: 7, title: 'DR | link', gap: { kind: 'fixed', maxMs: 1_000 } }, summary({ non2xx: 0, longestWriteGapMs: 400, p99Ms: 12 }), 0, { promotionsMs: [], checks: [], notes: [] })]
  t.equal(formatDrillTable(rows), [
    '| # | drill | requests | non-2xx (unclean) | longest write gap | p99 | acked writes lost | promotion | target | met | notes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|---|',
    '| 1 | power-off of the leader host | 1000 | 10 (0) | 21.5 s | 900 ms | 0 | 20.8 s | 0 lost, clean 503s, gap ≤ promotion + 1 s | yes | old leader db1: rejoined as replica; db1 → db2 |',
    '| 7 | DR \\| link | 1000 | 0 (0) | 0.4 s | 12 ms | 0 | – | 0 lost, clean 503s, gap ≤ 1 s | yes |  |',
  ].join('\n'))
  t.match(formatDrillTable([drillRow(failover, summary(), 1, outcome)]), /\| 0 lost, clean 503s, gap ≤ promotion \+ 1 s \| \*\*NO\*\* \| MISSED: 1 acknowledged writes lost; /, 'a missed row stands out')
})

t.test('what the failures were', async (t) => {
  const rec = (status: number, problem?: { clean: boolean; detail: string }) => ({ method: 'PUT' as const, user: 'a', date: '1990-01-01', sentAt: 0, endedAt: 15_000.4, status, ...(problem === undefined ? {} : { problem }) })
  t.strictSame(failureNotes([rec(204), rec(200)]), [])
  t.strictSame(failureNotes([rec(204), rec(503, { clean: true, detail: '' }), rec(503, { clean: true, detail: '' })]), ['failures by status: 503×2'])
  t.strictSame(failureNotes([rec(503, { clean: true, detail: '' }), rec(0, { clean: false, detail: 'no answer (network error or timeout)' }), rec(502)]),
    ['failures by status: 503×1, no answer×1, 502×1', 'first unclean: PUT after 15000 ms, no answer (network error or timeout)'])
  t.strictSame(failureNotes([rec(502)]), ['failures by status: 502×1', 'first unclean: PUT after 15000 ms, status 502'])
})
