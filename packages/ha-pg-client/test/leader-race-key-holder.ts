import t from 'tap'
import type { SimMember } from './helpers/fake-patroni.js'
import { askedAt, clusterCalls, raceOn, sleep } from './helpers/tracker.js'

// What a race round does with its one view (issue #11): a key holder that still promotes (503, or 200
// as a replica) costs only its /primary, a late answer as a primary is followed at once, and anything
// that is neither a free key nor a key holder is asked of every member.

/** A race with a caller waiting; 300 ms in, m2 wins it and `promoting` sets how its /primary answers meanwhile. */
async function m2WinsTheRace(promoting: (m2: SimMember) => void) {
  const { patroni, tracker, holders } = await raceOn()
  const waiting = tracker.waitForLease(Date.now() + 6_000)
  await sleep(300)
  patroni.promote('m2', 2)
  const m2 = patroni.get('m2')
  promoting(m2)
  return { patroni, tracker, holders, waiting, m2, from: Date.now() }
}

/** Lets m2 answer as a primary (`answerAsPrimary`), then waits for the lease: whose it is, and how many ms after. */
async function leasedAfter(waiting: Promise<{ readonly name: string }>, answerAsPrimary: () => void): Promise<{ name: string; ms: number }> {
  answerAsPrimary()
  const at = Date.now()
  const { name } = await waiting
  return { name, ms: Date.now() - at }
}

t.test('gh-11: a race round that sees the key holder still promoting asks its /primary, not every member', async (t) => {
  // Patroni answers m2's /primary 503 until its PostgreSQL is promoted
  const { patroni, tracker, waiting, m2, from } = await m2WinsTheRace((m) => (m.primaryStatus = 503))
  await sleep(1_000)
  t.equal(clusterCalls(patroni, [1], from), 0, 'no full round while it promotes')
  const probes = askedAt(patroni, 'http://127.0.0.1:8002/primary', from).length
  t.ok(probes >= 3 && probes <= 6, `one /primary per race round: ${probes} in 1 s`)
  const { name, ms } = await leasedAfter(waiting, () => delete m2.primaryStatus)
  t.equal(name, 'm2')
  t.ok(ms < 450, `followed ${ms} ms after its /primary turned 200`)
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

t.test('gh-11: a key holder that answers /primary 200 as a replica (Patroni 4 while it promotes) keeps the race going', async (t) => {
  // patroni/api.py (do_GET): /primary is 200 once the member holds the leader key (Ha.is_leader()); the
  // body's role says `replica` until pg_is_in_recovery() is false (measured on 4.0.7: 100–200 ms)
  const { patroni, tracker, waiting, m2, from } = await m2WinsTheRace((m) => (m.primaryRole = 'replica'))
  await sleep(800)
  t.equal(clusterCalls(patroni, [1], from), 0, 'no full round while its PostgreSQL is in recovery')
  const { name, ms } = await leasedAfter(waiting, () => delete m2.primaryRole)
  t.equal(name, 'm2')
  t.ok(ms < 450, `followed ${ms} ms after it answered as a primary`)
  await tracker.close()
})

t.test('gh-11: a key holder whose /primary answers late (a busy host) is followed once it answers as a primary', async (t) => {
  const { tracker, waiting, m2 } = await m2WinsTheRace((m) => {
    // longer than a race round waits for it (100 ms), and back while the caller naps until the next race round (250 ms)
    m.primaryDelayMs = 170
    m.primaryRole = 'replica'
  })
  await sleep(700)
  const { name, ms } = await leasedAfter(waiting, () => delete m2.primaryRole)
  t.equal(name, 'm2')
  // the next race round (≤ 375 ms), its late probe (170 ms), then a full round (the probe is its confirmation)
  t.ok(ms < 1_100, `followed ${ms} ms after it answered as a primary`)
  await tracker.close()
})

t.test('gh-11: the race probe that finds the key holder promoted is the confirmation: one /primary on it, not two', async (t) => {
  const { patroni, tracker, waiting, m2 } = await m2WinsTheRace((m) => (m.primaryRole = 'replica'))
  await sleep(500)
  delete m2.primaryRole
  const promotedAt = Date.now()
  t.equal((await waiting).name, 'm2')
  t.equal(askedAt(patroni, 'http://127.0.0.1:8002/primary', promotedAt).length, 1, 'the probe, then the full round: no second /primary')
  t.ok(clusterCalls(patroni, [2, 3], promotedAt) >= 2, 'the views of a full round still decided it')
  await tracker.close()
})

t.test('gh-11: while the key holder answers 200 as a replica, rounds ask only its /primary, twice as often, and every fourth a /cluster view', async (t) => {
  const { patroni, tracker, waiting, m2, from } = await m2WinsTheRace((m) => (m.primaryRole = 'replica'))
  await sleep(1_000)
  const probes = askedAt(patroni, 'http://127.0.0.1:8002/primary', from).length
  const views = clusterCalls(patroni, [2, 3], from)
  // race rounds (250 ms) ask a view and its /primary; holder rounds (125 ms) only the /primary
  t.ok(probes >= 6, `${probes} /primary on the holder in 1 s`)
  t.ok(views >= 1 && views <= 3, `${views} /cluster views in 1 s`)
  t.ok(probes + views <= 12, `${probes + views} REST calls in 1 s: no more than race rounds would make`)
  const { name, ms } = await leasedAfter(waiting, () => delete m2.primaryRole)
  t.equal(name, 'm2')
  t.ok(ms < 300, `followed ${ms} ms after it answered as a primary`)
  await tracker.close()
})

t.test('gh-11: a watched key holder that stops answering 200 (it lost the key) is not watched any more', async (t) => {
  const { patroni, tracker, waiting, m2 } = await m2WinsTheRace((m) => (m.primaryRole = 'replica'))
  await sleep(400)
  m2.primaryStatus = 503 // Patroni 4: no longer the key holder
  patroni.promote('m3', 2)
  const lostAt = Date.now()
  t.equal((await waiting).name, 'm3')
  // the 503, then at most a candidates' round (m2 and m3), not the holder's own rounds
  t.ok(askedAt(patroni, 'http://127.0.0.1:8002/primary', lostAt).length <= 2, 'no longer watched after its 503')
  await tracker.close()
})

t.test('gh-11: after a probe found the holder promoted, the full round settles on the first other view that names it', async (t) => {
  const { patroni, tracker, waiting, m2 } = await m2WinsTheRace((m) => {
    m.primaryRole = 'replica'
    m.clusterDelayMs = 250 // the new leader's own view is slow (it reads the DCS while it promotes)
  })
  patroni.get('m1').rest = 'frozen' // blackholed: its view never comes, so a majority needs m2's
  await sleep(500)
  const { name, ms } = await leasedAfter(waiting, () => delete m2.primaryRole)
  t.equal(name, 'm2')
  // the next holder round (≤ 125 ms) and m3's view, not m2's 250 ms one
  t.ok(ms < 240, `leased ${ms} ms after it answered as a primary`)
  await tracker.close()
})

t.test('gh-11: a probe that finds the holder promoted reports it at once, so its sessions open while the views catch up', async (t) => {
  const { patroni, tracker, holders } = await raceOn()
  const waiting = tracker.waitForLease(Date.now() + 6_000)
  await sleep(300)
  // The other members' views still show the key free for a while: Patroni's /cluster answers from the
  // member's DCS cache, refreshed by its HA loop (on the lab views lagged 300-950 ms behind the holder)
  const keyFree = patroni.members.map((m) => ({ ...m }))
  for (const name of ['m2', 'm3']) patroni.views.set(name, keyFree)
  patroni.promote('m2', 2)
  setTimeout(() => patroni.views.clear(), 800)
  await waiting
  const leasedAt = Date.now()
  const seen = holders.find((h) => h.name === 'm2')
  t.ok(seen !== undefined && leasedAt - seen.at >= 150, `m2 reported ${seen === undefined ? 'never' : `${leasedAt - seen.at} ms before its lease`}`)
  await tracker.close()
})
