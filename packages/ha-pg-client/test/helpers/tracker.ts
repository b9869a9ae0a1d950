import { LeaderTracker } from '../../src/leader-tracker.js'
import { PatroniApi } from '../../src/patroni-api.js'
import type { FakePatroni } from './fake-patroni.js'

/** A LeaderTracker over `patroni`, seeded with m1 only, no jitter (`random` is 0.5); `failures` collects discovery failures. */
export function makeTracker(patroni: FakePatroni, waitPollMs = 10, timing: Record<string, number> = { leaseMs: 400, discoveryIntervalMs: 50, failoverDeadlineMs: 300 }, wallClock?: () => number) {
  const failures: unknown[] = []
  const tracker = new LeaderTracker({
    urls: ['http://127.0.0.1:8001'],
    api: new PatroniApi({ timeoutMs: 100, dispatcher: patroni.agent }),
    timing,
    ...(wallClock === undefined ? {} : { wallClock }),
    now: Date.now,
    random: () => 0.5,
    hooks: { leaderChanged: () => {}, discoveryFailed: (e) => failures.push(e) },
    waitPollMs,
  })
  return { tracker, failures }
}
