import t from 'tap'
import { leaderSequence } from '../../src/resilience/leader-watch.js'

t.test('leaderSequence drops the gaps and repeats', async (t) => {
  t.strictSame(leaderSequence([
    { at: 1, leader: 'pg1' }, { at: 2, leader: null }, { at: 3, leader: 'pg2' }, { at: 4, leader: null }, { at: 5, leader: 'pg2' }, { at: 6, leader: 'pg1' },
  ]), ['pg1', 'pg2', 'pg1'])
  t.strictSame(leaderSequence([]), [])
})
