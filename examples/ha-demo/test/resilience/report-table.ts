import t from 'tap'
import { describeRow, formatTable, statusNote } from '../../src/resilience/report-table.js'

t.test('formatTable renders one markdown row per scenario, escaping pipes', async (t) => {
  const table = formatTable([
    { id: 1, title: 'roll', requests: 900, non2xx: 0, unclean: 0, longestWriteGapMs: 180, p99Ms: 35, lost: 0, target: '0 non-2xx', met: true, notes: ['a|b', 'c'] },
    { id: 3, title: 'kill', requests: 1200, non2xx: 4, unclean: 1, longestWriteGapMs: 11_234, p99Ms: 10_500, lost: 2, target: '0 lost', met: false, notes: [] },
  ])
  t.equal(table, [
    '| # | scenario | requests | non-2xx (unclean) | longest write gap | p99 | acked writes lost | target | met | notes |',
    '|---|---|---:|---:|---:|---:|---:|---|---|---|',
    '| 1 | roll | 900 | 0 (0) | 0.18 s | 35 ms | 0 | 0 non-2xx | yes | a\\|b; c |',
    '| 3 | kill | 1200 | 4 (1) | 11.23 s | 10500 ms | 2 | 0 lost | **NO** |  |',
  ].join('\n'))
})

t.test('statusNote and describeRow', async (t) => {
  t.equal(statusNote({ 0: 2, 204: 5 }), 'statuses no answer×2, 204×5')
  const row = { id: 2, title: 's', requests: 10, non2xx: 1, unclean: 0, longestWriteGapMs: 5, p99Ms: 3, lost: 0, target: 't', met: false, notes: ['n'] }
  t.equal(describeRow(row), 'scenario 2: TARGET NOT MET (10 requests, 1 non-2xx, 0 unclean, write gap 5 ms, p99 3 ms, 0 acked writes lost; n)')
  t.match(describeRow({ ...row, met: true }), /^scenario 2: target met/)
})
