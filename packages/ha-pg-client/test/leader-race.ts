import t from 'tap'
import { clusterCalls, leaderDied, primaryCalls, raceOn, sleep } from './helpers/tracker.js'

// Paced rounds through Patroni's leader race (issue #11): at most 250 ms apart, one member's view or
// the candidates' /primary in turn, the key holder's /primary while it promotes, and back to full
// rounds when nobody wins.

t.test('gh-11: during a leader race, rounds stay 250 ms apart and ask one answering member; the winner is seen at once', async (t) => {
  const { patroni, tracker } = await raceOn()
  const from = Date.now()
  const waiting = tracker.waitForLease(from + 6_000)
  // the race outlasts the doubling (a frozen leader holds every member's status request for 2 s):
  // doubled rounds alone would come at 50, 150, 350, 750, 1550 and then 2550 ms
  await sleep(1_700)
  patroni.promote('m2', 2)
  const promotedAt = Date.now()
  t.equal((await waiting).name, 'm2')
  t.ok(Date.now() - promotedAt < 450, `followed ${Date.now() - promotedAt} ms after the promotion`)
  t.equal(clusterCalls(patroni, [1], from + 100, promotedAt), 0, 'race rounds do not ask the member that stopped answering')
  const views = clusterCalls(patroni, [2, 3], from + 100, promotedAt)
  const probes = primaryCalls(patroni, [2, 3], from + 100, promotedAt)
  // about 6 rounds in 1.6 s, in turn one view and the two candidates' /primary
  t.ok(views >= 2 && views <= 5, `one member's view every other round: ${views} /cluster calls in 1.6 s`)
  t.ok(probes >= 4 && probes <= 10, `the candidates' /primary every other round: ${probes} calls in 1.6 s`)
  await tracker.close()
})

t.test('gh-11: a race nobody wins goes back to full rounds at the discovery interval once a new leader is overdue', async (t) => {
  // Patroni 3.0.2 runs with what /config shows: 2·loop_wait + retry_timeout + 2 s = 5 s of race pace
  const { patroni, tracker } = await raceOn(1_000, (p) => {
    p.config = { ttl: 30, loop_wait: 1, retry_timeout: 1 }
    p.get('m1').primaryExtra = { patroni: { version: '3.0.2' } }
  })
  const from = Date.now()
  t.match(await tracker.waitForLease(from + 7_000).catch((err: unknown) => err), { code: 'HAPG_FAILOVER_TIMEOUT' })
  const full = clusterCalls(patroni, [1], from + 5_300)
  const oneView = clusterCalls(patroni, [2, 3], from + 5_300) - full * 2
  t.ok(full >= 1 && full <= 2, `${full} full rounds in the last 1.7 s (one per discovery interval)`)
  t.equal(oneView, 0, 'and no race rounds')
  t.equal(clusterCalls(patroni, [1], from + 100, from + 4_900), 0, 'while before, every round asked one member')
  await tracker.close()
})

t.test('gh-11: race rounds do not ask the lost leader, which answers from its last view when cut off from its DCS', async (t) => {
  const { patroni, tracker } = await leaderDied(1_000, (p) => {
    p.config = { ttl: 3, loop_wait: 1, retry_timeout: 1 }
    p.get('m1').primaryExtra = { dcs_last_seen: Date.now() / 1000 }
  })
  const confirmed = patroni.callTimes[patroni.calls.indexOf('http://127.0.0.1:8001/primary')]!
  // m1 is partitioned from the other hosts, not from this client: it demoted itself (503) and its /cluster
  // still shows its last cache, with itself as the leader; the others see the key free once it expires
  const m1 = patroni.get('m1')
  patroni.views.set('m1', patroni.members.map((m) => ({ ...m })))
  m1.rest = 'ok'
  m1.primaryStatus = 503
  for (const m of patroni.members) m.role = 'replica'
  const waiting = tracker.waitForLease(confirmed + 8_000)
  const expiry = confirmed + 3_000 + 500
  await sleep(expiry + 1_000 - Date.now())
  patroni.promote('m3', 2)
  const promotedAt = Date.now()
  t.equal((await waiting).name, 'm3')
  t.ok(Date.now() - promotedAt < 450, `followed ${Date.now() - promotedAt} ms after the promotion`)
  t.equal(clusterCalls(patroni, [1], expiry + 50, promotedAt), 0, 'no race round asked m1')
  t.ok(clusterCalls(patroni, [2, 3], expiry + 50, promotedAt) + primaryCalls(patroni, [2, 3], expiry + 50, promotedAt) >= 3, 'the race rounds asked m2 and m3')
  await tracker.close()
})

t.test('gh-11: a leader named only by its own view (cut off from its DCS, the others see the key free) starts the race', async (t) => {
  const { patroni, tracker } = await leaderDied(1_000)
  // m1 answers from its last cache, with itself as the leader; its key is gone for the others
  const m1 = patroni.get('m1')
  patroni.views.set('m1', patroni.members.map((m) => ({ ...m })))
  m1.rest = 'ok'
  m1.primaryStatus = 503
  for (const m of patroni.members) m.role = 'replica'
  const from = Date.now()
  const waiting = tracker.waitForLease(from + 6_000)
  await sleep(1_700) // doubled rounds alone would come at 50, 150, 350, 750, 1550 and then 2550 ms
  patroni.promote('m3', 2)
  const promotedAt = Date.now()
  t.equal((await waiting).name, 'm3')
  t.ok(Date.now() - promotedAt < 450, `followed ${Date.now() - promotedAt} ms after the promotion`)
  t.equal(clusterCalls(patroni, [1], from + 100, promotedAt), 0, 'race rounds, which never ask m1')
  await tracker.close()
})
