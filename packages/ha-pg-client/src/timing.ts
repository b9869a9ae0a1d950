import type { PatroniTiming } from './patroni-api.js'

/** The client's own clocks, all in milliseconds. */
export interface ClientTiming {
  readonly leaseMs: number
  readonly failoverDeadlineMs: number
  readonly discoveryIntervalMs: number
  readonly restTimeoutMs: number
}

/** Patroni's defaults, used until `GET /config` answered. */
export const PATRONI_DEFAULT_TIMING: PatroniTiming = { ttl: 30, loop_wait: 10, retry_timeout: 10 }

/**
 * Derives the client's clocks from Patroni's `ttl`, `loop_wait` and `retry_timeout` (seconds).
 *
 * - `leaseMs = (ttl − loop_wait) / 2`. A leader refreshes its key every `loop_wait`, so when it freezes
 *   the key still lives at least `ttl − loop_wait`, and no other member can be promoted before that.
 *   Half of it leaves room for a slow REST answer and clock drift. 30/10 → 10 s; 10/1 → 4.5 s; 5/1 → 2 s.
 * - `failoverDeadlineMs = ttl + loop_wait + retry_timeout`: the key expires after `ttl`, a replica
 *   notices within `loop_wait` and promotes within `retry_timeout`. 30/10/10 → 50 s; 10/1/4 → 15 s.
 * - `discoveryIntervalMs = min(loop_wait, leaseMs / 4)`: about four renewals per lease.
 * - `restTimeoutMs = leaseMs / 5`, clamped to 300–2000 ms.
 *
 * @example
 * ```ts
 * deriveTiming({ ttl: 10, loop_wait: 1, retry_timeout: 4 }) // { leaseMs: 4500, failoverDeadlineMs: 15000, … }
 * ```
 */
export function deriveTiming(patroni: PatroniTiming): ClientTiming {
  const leaseMs = Math.max(500, Math.floor(((patroni.ttl - patroni.loop_wait) * 1000) / 2))
  return {
    leaseMs,
    failoverDeadlineMs: (patroni.ttl + patroni.loop_wait + patroni.retry_timeout) * 1000,
    discoveryIntervalMs: Math.max(100, Math.min(patroni.loop_wait * 1000, Math.floor(leaseMs / 4))),
    restTimeoutMs: Math.min(2000, Math.max(300, Math.floor(leaseMs / 5))),
  }
}
