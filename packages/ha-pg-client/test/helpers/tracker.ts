import { LeaderTracker } from '../../src/leader-tracker.js'
import { PatroniApi } from '../../src/patroni-api.js'
import { FakePatroni, threeMembers } from './fake-patroni.js'

/** A LeaderTracker over `patroni`, seeded with m1 only, no jitter (`random` is 0.5); `failures` collects discovery failures. */
export function makeTracker(patroni: FakePatroni, waitPollMs = 10, timing: Record<string, number> = { leaseMs: 400, discoveryIntervalMs: 50, failoverDeadlineMs: 300 }, wallClock?: () => number) {
  const failures: unknown[] = []
  /** Key holders the tracker reported (keyHolderSeen), and when. */
  const holders: { name: string; at: number }[] = []
  const tracker = new LeaderTracker({
    urls: ['http://127.0.0.1:8001'],
    api: new PatroniApi({ timeoutMs: 100, dispatcher: patroni.agent }),
    timing,
    ...(wallClock === undefined ? {} : { wallClock }),
    now: Date.now,
    random: () => 0.5,
    hooks: { leaderChanged: () => {}, discoveryFailed: (e) => failures.push(e), keyHolderSeen: ({ name }) => holders.push({ name, at: Date.now() }) },
    waitPollMs,
  })
  return { tracker, failures, holders }
}

/** When `url` was asked, after `since`. */
export const askedAt = (patroni: FakePatroni, url: string, since = 0): number[] => patroni.callTimes.filter((at, i) => patroni.calls[i] === url && at >= since)
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** `GET /cluster` calls on these members (ports 8001–8003) from `since` until `until`. */
export const clusterCalls = (patroni: FakePatroni, members: readonly number[], since: number, until = Number.POSITIVE_INFINITY): number =>
  members.flatMap((i) => askedAt(patroni, `http://127.0.0.1:800${i}/cluster`, since)).filter((at) => at < until).length

/** `GET /primary` calls on these members from `since` until `until`. */
export const primaryCalls = (patroni: FakePatroni, members: readonly number[], since: number, until = Number.POSITIVE_INFINITY): number =>
  members.flatMap((i) => askedAt(patroni, `http://127.0.0.1:800${i}/primary`, since)).filter((at) => at < until).length

/** A tracker leased on m1 (waitPollMs 50), then m1 dies (REST refused) and the lease lapses; `prepare` runs before the tracker starts. */
export async function leaderDied(discoveryIntervalMs: number, prepare: (patroni: FakePatroni) => void = () => {}) {
  const patroni = new FakePatroni(threeMembers())
  prepare(patroni)
  const { tracker, holders } = makeTracker(patroni, 50, { leaseMs: 300, discoveryIntervalMs, failoverDeadlineMs: 10_000 })
  await tracker.waitForLease(Date.now() + 1_000)
  patroni.get('m1').rest = 'refused'
  await sleep(350) // its lease lapses
  return { patroni, tracker, holders }
}

/** leaderDied, then the replicas list the key as free: Patroni's leader race is on. */
export async function raceOn(discoveryIntervalMs = 1_000, prepare?: (patroni: FakePatroni) => void) {
  const died = await leaderDied(discoveryIntervalMs, prepare)
  for (const m of died.patroni.members) m.role = 'replica'
  return died
}
