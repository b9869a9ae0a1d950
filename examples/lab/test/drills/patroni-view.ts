import t from 'tap'
import { lastPromotionAt, leaderOf, parseMembers, syncStandbyOf } from '../../src/drills/patroni-view.js'

// Shapes from Patroni's REST API documentation (https://patroni.readthedocs.io/en/latest/rest_api.html).
const cluster = JSON.stringify({
  members: [
    { name: 'db1', role: 'leader', state: 'running', api_url: 'http://10.0.10.10:8008/patroni', host: '10.0.10.10', port: 5432, timeline: 5 },
    { name: 'db2', role: 'sync_standby', state: 'streaming', timeline: 5, lag: 0 },
    { name: 'db3', role: 'replica', state: 'streaming', timeline: 5, lag: 16 },
  ],
  scope: 'birthday',
})

t.test('GET /cluster', async (t) => {
  const m = parseMembers(cluster)!
  t.equal(leaderOf(m)?.name, 'db1')
  t.equal(syncStandbyOf(m)?.name, 'db2')
  t.equal(leaderOf(parseMembers(JSON.stringify({ members: [{ name: 'dr1', role: 'standby_leader', state: 'streaming' }] }))!)?.name, 'dr1', 'a standby cluster is led by its standby_leader')
  t.equal(leaderOf([{ name: 'db2', role: 'replica', state: 'streaming' }]), undefined, 'no leader while its key is vacant')
  t.equal(syncStandbyOf([]), undefined)
  t.equal(parseMembers('not json'), undefined)
  t.equal(parseMembers('{"members":{}}'), undefined)
  t.equal(parseMembers(''), undefined, 'curl answered nothing')
})

t.test('GET /history: when the newest timeline began', async (t) => {
  const history = JSON.stringify([
    [1, 25623960, 'no recovery target specified', '2026-12-01T12:00:00.123456+00:00', 'db2'],
    [2, 25624344, 'no recovery target specified', '2026-12-01T12:05:20.5+00:00', 'db1'],
  ])
  t.equal(lastPromotionAt(history), Date.parse('2026-12-01T12:05:20.500Z'))
  t.equal(lastPromotionAt(JSON.stringify([[1, 1, 'x', '2026-12-01T12:00:00.123456+00:00']])), Date.parse('2026-12-01T12:00:00.123Z'), 'microseconds as Patroni writes them')
  t.equal(lastPromotionAt('[]'), undefined, 'never promoted')
  t.equal(lastPromotionAt('{}'), undefined)
  t.equal(lastPromotionAt('[[1, 2, "x"]]'), undefined, 'an entry without a timestamp')
  t.equal(lastPromotionAt('[[1, 2, "x", "yesterday"]]'), undefined)
  t.equal(lastPromotionAt('[3]'), undefined)
  t.equal(lastPromotionAt(''), undefined)
})
