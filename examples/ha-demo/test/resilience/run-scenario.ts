import t from 'tap'
import { summarize } from '../../src/load-report.js'
import { scenarioRow } from '../../src/resilience/run-scenario.js'

t.test('scenarioRow: figures from the summary, lost writes and later unacked PUTs in the notes', async (t) => {
  const summary = summarize([{ method: 'PUT', user: 'a', date: '1990-01-01', sentAt: 0, endedAt: 5, status: 204 }])
  const row = scenarioRow({ id: 3, title: 'kill', target: 'x' }, summary, {
    checked: 5, laterUnacked: 2,
    lost: [1, 2, 3, 4].map((i) => ({ user: `u${i}`, expected: '1990-01-01', found: i === 1 ? null : '1980-01-01', ackedAt: 0 })),
  }, { met: false, notes: ['judge'] })
  t.strictSame(row, {
    id: 3, title: 'kill', requests: 1, non2xx: 0, unclean: 0, longestWriteGapMs: 5, p99Ms: 5, lost: 4, target: 'x', met: false,
    notes: ['judge', 'u1: acked 1990-01-01, found nothing', 'u2: acked 1990-01-01, found 1980-01-01', 'u3: acked 1990-01-01, found 1980-01-01',
      '2 users hold a later unacknowledged PUT (allowed)'],
  })
  t.strictSame(scenarioRow({ id: 1, title: 'r', target: 'y' }, summary, { checked: 1, laterUnacked: 0, lost: [] }, { met: true, notes: [] }).notes, [])
})
