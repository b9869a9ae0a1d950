import t from 'tap'
import { askedAt, clusterCalls, leaderDied, primaryCalls, sleep } from './helpers/tracker.js'

// How the paced rounds of waiting callers follow a promotion (issue #11): when they start over, and
// what bounds their cost for a fleet. Through the leader race itself: leader-race.ts.

t.test('gh-11: paced rounds start over when the lost leader\'s key may expire (ttl after its last DCS contact)', async (t) => {
  // the leader dies; the replicas still list it: its key lives until ttl after its last refresh
  const { patroni, tracker } = await leaderDied(1_000, (p) => {
    p.config = { ttl: 3, loop_wait: 1, retry_timeout: 1 }
    p.get('m1').primaryExtra = { dcs_last_seen: Date.now() / 1000 }
  })
  const confirmed = patroni.callTimes[patroni.calls.indexOf('http://127.0.0.1:8001/primary')]!
  const waiting = tracker.waitForLease(confirmed + 4_500).catch((err: unknown) => err)
  // expected expiry: 3 s after the contact, spread by random() (0.5) × min(1 s, discovery interval)
  const expiry = confirmed + 3_000 + 500
  await sleep(expiry + 400 - Date.now())
  const before = askedAt(patroni, 'http://127.0.0.1:8002/cluster', expiry - 900).filter((at) => at < expiry - 20)
  // from the expiry on, race rounds: one member's view or the candidates' /primary (m2 and m3; m1 stopped answering)
  const after = clusterCalls(patroni, [2, 3], expiry - 20) + primaryCalls(patroni, [2, 3], expiry - 20)
  t.ok(before.length <= 1, `paced at the discovery interval before the expiry: ${before.length} rounds in 880 ms`)
  t.ok(after >= 3, `rounds start over at 50 ms from the expiry: ${after} REST calls in its first 420 ms`)
  t.equal(clusterCalls(patroni, [1], expiry - 20), 0, 'and ask one member each, as in a race')
  t.match(await waiting, { code: 'HAPG_FAILOVER_TIMEOUT' })
  await tracker.close()
})

t.test('gh-11: the first round that sees the key with another member starts paced rounds over (it promotes now)', async (t) => {
  const { patroni, tracker } = await leaderDied(1_000)
  const waiting = tracker.waitForLease(Date.now() + 6_000)
  await sleep(2_000) // the rounds are paced at the discovery interval by now
  // m2 takes the key; its PostgreSQL is not promoted yet (Patroni answers /primary 503 until it is)
  patroni.promote('m2', 2)
  patroni.get('m2').primaryStatus = 503
  while (askedAt(patroni, 'http://127.0.0.1:8002/primary').length === 0) await sleep(5)
  const seen = askedAt(patroni, 'http://127.0.0.1:8002/primary')[0]!
  await sleep(200)
  delete patroni.get('m2').primaryStatus
  const leader = await waiting
  const followed = Date.now()
  t.equal(leader.name, 'm2')
  const next = askedAt(patroni, 'http://127.0.0.1:8002/cluster', seen + 1)[0]!
  t.ok(next - seen < 200, `the next round came ${next - seen} ms after the 503, not a discovery interval later`)
  t.ok(followed - seen < 700, `followed ${followed - seen} ms after the candidate was first seen`)
  await tracker.close()
})

t.test('gh-11: a view that changes again does not start the rounds over again before the next grant', async (t) => {
  const { patroni, tracker } = await leaderDied(400)
  for (const m of patroni.members) m.role = 'replica'
  const deadline = Date.now() + 2_500
  const waiting = tracker.waitForLease(deadline).catch((err: unknown) => err)
  // the key keeps going back and forth between free and m2 (which never promotes)
  patroni.get('m2').primaryStatus = 503
  const flapping = (async () => {
    while (Date.now() < deadline) {
      patroni.get('m2').role = patroni.get('m2').role === 'leader' ? 'replica' : 'leader'
      await sleep(30)
    }
  })()
  t.match(await waiting, { code: 'HAPG_FAILOVER_TIMEOUT' })
  await flapping
  const rounds = askedAt(patroni, 'http://127.0.0.1:8002/cluster').length
  // one restart: 50, 100, 200, 400, 400… ms ≈ 8 rounds in 2.5 s; a restart on every change would be ≈ 30
  t.ok(rounds <= 12, `${rounds} rounds in 2.5 s`)
  await tracker.close()
})

t.test('gh-11: a background round that sees the key move wakes callers napping between paced rounds', async (t) => {
  const { patroni, tracker } = await leaderDied(2_000)
  const waiting = tracker.waitForLease(Date.now() + 6_000)
  // rounds at 50, 150, 350, 750, 1550 ms, then a nap until 3150 ms (random() is 0.5: no jitter)
  await sleep(1_600)
  patroni.promote('m2', 2)
  patroni.get('m2').primaryStatus = 503
  const seenAt = Date.now()
  await tracker.refresh() // the background schedule's round, which no caller awaits
  delete patroni.get('m2').primaryStatus
  t.equal((await waiting).name, 'm2')
  t.ok(Date.now() - seenAt < 800, `followed ${Date.now() - seenAt} ms after the round that saw m2 take the key, not at the end of the nap`)
  await tracker.close()
})
