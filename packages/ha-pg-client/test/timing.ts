import t from 'tap'
import { deriveTiming, PATRONI_DEFAULT_TIMING } from '../src/timing.js'

t.test('derived from Patroni timing profiles', async (t) => {
  t.strictSame(deriveTiming(PATRONI_DEFAULT_TIMING), { leaseMs: 10_000, failoverDeadlineMs: 50_000, discoveryIntervalMs: 2_500, restTimeoutMs: 2_000 })
  t.strictSame(deriveTiming({ ttl: 10, loop_wait: 1, retry_timeout: 4 }), { leaseMs: 4_500, failoverDeadlineMs: 15_000, discoveryIntervalMs: 1_000, restTimeoutMs: 900 })
  t.strictSame(deriveTiming({ ttl: 5, loop_wait: 1, retry_timeout: 2 }), { leaseMs: 2_000, failoverDeadlineMs: 8_000, discoveryIntervalMs: 500, restTimeoutMs: 400 })
  t.strictSame(deriveTiming({ ttl: 1, loop_wait: 1, retry_timeout: 0 }), { leaseMs: 500, failoverDeadlineMs: 2_000, discoveryIntervalMs: 125, restTimeoutMs: 300 })
})

t.test('the lease is always shorter than ttl − loop_wait', async (t) => {
  for (const [ttl, lw] of [[30, 10], [10, 1], [5, 1], [20, 5]] as const) {
    t.ok(deriveTiming({ ttl, loop_wait: lw, retry_timeout: 1 }).leaseMs < (ttl - lw) * 1000)
  }
})
