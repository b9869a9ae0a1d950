import t from 'tap'
import { FakePatroni, threeMembers } from './helpers/fake-patroni.js'
import { makeTracker as make } from './helpers/tracker.js'

// How the paced rounds of waiting callers follow a promotion (issue #11): when they start over, how
// fast they go through a leader race, and what bounds their cost for a fleet.

/** When `url` was asked, after `since`. */
const askedAt = (patroni: FakePatroni, url: string, since = 0): number[] => patroni.callTimes.filter((at, i) => patroni.calls[i] === url && at >= since)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A tracker leased on m1 (waitPollMs 50), then m1 dies (REST refused) and the lease lapses; `prepare` runs before the tracker starts. */
async function leaderDied(discoveryIntervalMs: number, prepare: (patroni: FakePatroni) => void = () => {}) {
  const patroni = new FakePatroni(threeMembers())
  prepare(patroni)
  const { tracker } = make(patroni, 50, { leaseMs: 300, discoveryIntervalMs, failoverDeadlineMs: 10_000 })
  await tracker.waitForLease(Date.now() + 1_000)
  patroni.get('m1').rest = 'refused'
  await sleep(350) // its lease lapses
  return { patroni, tracker }
}

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
  const after = askedAt(patroni, 'http://127.0.0.1:8002/cluster', expiry - 20)
  t.ok(before.length <= 1, `paced at the discovery interval before the expiry: ${before.length} rounds in 880 ms`)
  t.ok(after.length >= 3, `rounds start over at 50 ms from the expiry: ${after.length} rounds in its first 420 ms`)
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

/** `GET /cluster` calls on these members (ports 8001–8003) from `since` until `until`. */
const clusterCalls = (patroni: FakePatroni, members: readonly number[], since: number, until = Number.POSITIVE_INFINITY): number =>
  members.flatMap((i) => askedAt(patroni, `http://127.0.0.1:800${i}/cluster`, since)).filter((at) => at < until).length

/** leaderDied, then the replicas list the key as free: Patroni's leader race is on. */
async function raceOn(discoveryIntervalMs = 1_000) {
  const died = await leaderDied(discoveryIntervalMs)
  for (const m of died.patroni.members) m.role = 'replica'
  return died
}

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
  const asked = clusterCalls(patroni, [2, 3], from + 100, promotedAt)
  t.ok(asked >= 5 && asked <= 9, `one member per round, 250 ms apart: ${asked} /cluster calls in 1.6 s`)
  await tracker.close()
})

t.test('gh-11: a race round that sees the key holder still promoting asks its /primary, not every member', async (t) => {
  const { patroni, tracker } = await raceOn()
  const waiting = tracker.waitForLease(Date.now() + 6_000)
  await sleep(300)
  // m2 won the race; Patroni answers its /primary 503 until its PostgreSQL is promoted
  patroni.promote('m2', 2)
  patroni.get('m2').primaryStatus = 503
  const from = Date.now()
  await sleep(1_000)
  t.equal(clusterCalls(patroni, [1], from), 0, 'no full round while it promotes')
  const probes = askedAt(patroni, 'http://127.0.0.1:8002/primary', from).length
  t.ok(probes >= 3 && probes <= 6, `one /primary per race round: ${probes} in 1 s`)
  delete patroni.get('m2').primaryStatus
  const promotedAt = Date.now()
  t.equal((await waiting).name, 'm2')
  t.ok(Date.now() - promotedAt < 450, `followed ${Date.now() - promotedAt} ms after its /primary turned 200`)
  await tracker.close()
})

t.test('gh-11: a race nobody wins goes back to full rounds at the discovery interval after 2 s + loop_wait + 1 s', async (t) => {
  const { patroni, tracker } = await raceOn()
  const from = Date.now()
  t.match(await tracker.waitForLease(from + 6_000).catch((err: unknown) => err), { code: 'HAPG_FAILOVER_TIMEOUT' })
  // the fake's loop_wait is 1 s: the race pace ends 4 s after the first round that saw the key free
  const full = clusterCalls(patroni, [1], from + 4_300)
  const oneView = clusterCalls(patroni, [2, 3], from + 4_300) - full * 2
  t.ok(full >= 1 && full <= 2, `${full} full rounds in the last 1.7 s (one per discovery interval)`)
  t.equal(oneView, 0, 'and no race rounds')
  t.equal(clusterCalls(patroni, [1], from + 100, from + 3_900), 0, 'while before, every round asked one member')
  await tracker.close()
})

t.test('gh-11: a race round that sees neither a free key nor a key holder asks every member (a standby cluster: HAPG_STANDBY_CLUSTER)', async (t) => {
  const { patroni, tracker } = await raceOn()
  const waiting = tracker.waitForLease(Date.now() + 3_000).catch((err: unknown) => err)
  await sleep(300)
  for (const m of patroni.members) m.role = m.name === 'm2' ? 'standby_leader' : 'replica'
  t.match(await waiting, { code: 'HAPG_STANDBY_CLUSTER' })
  await tracker.close()
})
