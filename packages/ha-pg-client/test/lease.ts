import t from 'tap'
import { Lease, type LeaderEpoch } from '../src/lease.js'

const m1 = { name: 'm1', host: '10.0.0.1', port: 5432, timeline: 1, apiUrl: 'http://10.0.0.1:8008' }

function lease(): { lease: Lease; at: (ms: number) => void; changes: [LeaderEpoch | undefined, LeaderEpoch][] } {
  let now = 1_000
  const changes: [LeaderEpoch | undefined, LeaderEpoch][] = []
  return { lease: new Lease(() => now), at: (ms) => void (now = ms), changes }
}

t.test('a confirmation sent at t leases its epoch until t + ms; a renewal never shortens it', async (t) => {
  const { lease: l, at, changes } = lease()
  const onNew = (from: LeaderEpoch | undefined, to: LeaderEpoch): void => void changes.push([from, to])
  t.equal(l.valid(), false)
  at(1_500)
  l.grant(m1, 1_400, 2_000, onNew)
  const epoch = l.leader as LeaderEpoch
  t.match(changes, [[undefined, { id: 1, name: 'm1' }]], 'the first grant makes epoch 1')
  t.ok(l.holds(epoch, 3_399))
  t.notOk(l.holds(epoch, 3_400), 'ends at sentAt + ms')
  t.equal(l.age(), 100)
  l.grant(m1, 1_450, 100, onNew)
  t.ok(l.holds(epoch, 3_399), 'an older, longer term stands')
  t.equal(changes.length, 1, 'the same epoch renewed is no change')
  t.ok(l.confirmedSince(epoch, 1_400))
  t.notOk(l.confirmedSince(epoch, 1_401))
})

t.test('time without a lease: from the start, then from the end of a lapsed or revoked lease', async (t) => {
  const { lease: l, at } = lease()
  at(1_300)
  t.equal(l.msWithout(), 300, 'counted from the start')
  t.equal(l.lostForMs(), Number.POSITIVE_INFINITY, 'never had one')
  l.grant(m1, 1_300, 1_000, () => {})
  at(1_800)
  t.equal(l.msWithout(), 300, 'not while leased')
  t.equal(l.lostForMs(), 0)
  t.ok(l.revoke())
  t.notOk(l.revoke(), 'nothing left to revoke')
  at(2_000)
  t.equal(l.lostForMs(), 200)
  t.equal(l.msWithout(), 500)
  l.grant(m1, 2_000, 1_000, () => {})
  at(3_500)
  t.equal(l.msWithout(), 1_000, 'a lapsed lease counts from its end (3000)')
})

t.test('another member, address or timeline is a new epoch, announced before its lease begins', async (t) => {
  const { lease: l } = lease()
  l.grant(m1, 1_000, 5_000, () => {})
  for (const next of [{ ...m1, timeline: 2 }, { ...m1, timeline: 2, name: 'm2' }, { ...m1, timeline: 2, name: 'm2', port: 5433 }]) {
    let leasedAtAnnouncement: boolean | undefined
    l.grant(next, 1_000, 5_000, (_from, to) => (leasedAtAnnouncement = l.holds(to)))
    t.equal(leasedAtAnnouncement, false, JSON.stringify(next))
    t.ok(l.valid(), 'leased after')
  }
  t.equal(l.epochs, 4)
})
