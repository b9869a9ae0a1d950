import t from 'tap'
import { deriveTiming, PATRONI_DEFAULT_TIMING } from '../src/timing.js'

t.test('derived from Patroni timing profiles', async (t) => {
  t.strictSame(deriveTiming(PATRONI_DEFAULT_TIMING), { leaseMs: 10_000, failoverDeadlineMs: 62_000, discoveryIntervalMs: 2_500, restTimeoutMs: 2_000 })
  t.strictSame(deriveTiming({ ttl: 10, loop_wait: 1, retry_timeout: 4 }), { leaseMs: 4_500, failoverDeadlineMs: 18_000, discoveryIntervalMs: 1_000, restTimeoutMs: 900 })
  t.strictSame(deriveTiming({ ttl: 5, loop_wait: 1, retry_timeout: 2 }), { leaseMs: 2_000, failoverDeadlineMs: 11_000, discoveryIntervalMs: 500, restTimeoutMs: 400 })
  t.strictSame(deriveTiming({ ttl: 1, loop_wait: 1, retry_timeout: 0 }), { leaseMs: 500, failoverDeadlineMs: 5_000, discoveryIntervalMs: 125, restTimeoutMs: 300 })
})

t.test('the lease is always shorter than ttl − loop_wait', async (t) => {
  for (const [ttl, lw] of [[30, 10], [10, 1], [5, 1], [20, 5]] as const) {
    t.ok(deriveTiming({ ttl, loop_wait: lw, retry_timeout: 1 }).leaseMs < (ttl - lw) * 1000)
  }
})

import { adjustsTimeouts, clientTiming, effectiveTiming, patroniAdjusted } from '../src/timing.js'

t.test("Patroni ≥ 3.2's _validate_and_adjust_timeouts: minimums, then loop_wait + 2·retry_timeout ≤ ttl", async (t) => {
  // measured on Patroni 4.0.7: a bootstrap with ttl 10 stored ttl 20
  t.strictSame(patroniAdjusted({ ttl: 10, loop_wait: 1, retry_timeout: 4 }), { ttl: 20, loop_wait: 1, retry_timeout: 4 })
  t.strictSame(patroniAdjusted({ ttl: 5, loop_wait: 0, retry_timeout: 2 }), { ttl: 20, loop_wait: 1, retry_timeout: 3 }, 'each raised to its minimum')
  t.strictSame(patroniAdjusted({ ttl: 30, loop_wait: 10, retry_timeout: 10 }), { ttl: 30, loop_wait: 10, retry_timeout: 10 }, 'defaults untouched')
  t.strictSame(patroniAdjusted({ ttl: 20, loop_wait: 10, retry_timeout: 6 }), { ttl: 20, loop_wait: 8, retry_timeout: 6 }, 'loop_wait lowered first')
  t.strictSame(patroniAdjusted({ ttl: 20, loop_wait: 5, retry_timeout: 15 }), { ttl: 20, loop_wait: 1, retry_timeout: 9 }, 'retry_timeout only once loop_wait is 1')
})

t.test('which versions adjust', async (t) => {
  for (const v of ['3.2.0', '3.3.1', '4.0.7', '10.0']) t.ok(adjustsTimeouts(v), v)
  for (const v of ['3.0.2', '3.1.2', '2.1.7', 'dev']) t.notOk(adjustsTimeouts(v), v)
})

t.test('effective timing: as shown on 3.0.2, adjusted on ≥ 3.2, the safe side of both when unknown', async (t) => {
  const shown = { ttl: 10, loop_wait: 1, retry_timeout: 4 }
  t.strictSame(effectiveTiming(shown, '3.0.2'), { lease: shown, deadline: shown })
  const adjusted = { ttl: 20, loop_wait: 1, retry_timeout: 4 }
  t.strictSame(effectiveTiming(shown, '4.0.7'), { lease: adjusted, deadline: adjusted })
  t.strictSame(effectiveTiming(shown, undefined), { lease: { ttl: 10, loop_wait: 1, retry_timeout: 4 }, deadline: { ttl: 20, loop_wait: 1, retry_timeout: 4 } })
  t.strictSame(effectiveTiming({ ttl: 20, loop_wait: 10, retry_timeout: 6 }, undefined).lease, { ttl: 20, loop_wait: 10, retry_timeout: 6 }, 'the larger loop_wait for the lease')
})

t.test('client timing: the lease from the safety view, the deadline from the liveness view; an unsafe leaseMs is refused', async (t) => {
  const shown = { ttl: 10, loop_wait: 1, retry_timeout: 4 }
  t.match(clientTiming(shown, undefined, {}), { timing: { leaseMs: 4_500, failoverDeadlineMs: 28_000 }, lease: shown })
  t.match(clientTiming(shown, '3.0.2', { leaseMs: 3_000, failoverDeadlineMs: 9_000 }), { timing: { leaseMs: 3_000, failoverDeadlineMs: 9_000 } })
  const refused = clientTiming(shown, '3.0.2', { leaseMs: 9_000 })
  t.equal(refused.timing.leaseMs, 4_500)
  t.match(refused.rejected, /leaseMs 9000 is not shorter than ttl − loop_wait \(9000 ms\)/)
})
