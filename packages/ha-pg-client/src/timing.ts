import type { PatroniTiming } from './patroni-api.js'

/** The client's own clocks, all in milliseconds. */
export interface ClientTiming {
  readonly leaseMs: number
  readonly failoverDeadlineMs: number
  readonly discoveryIntervalMs: number
  readonly restTimeoutMs: number
}

/** The timeout of each member-status request in Patroni's leader race (hard-coded: patroni/ha.py, `fetch_node_status`). */
export const LEADER_RACE_MS = 2_000

/** Patroni's defaults, used until `GET /config` answered. */
export const PATRONI_DEFAULT_TIMING: PatroniTiming = { ttl: 30, loop_wait: 10, retry_timeout: 10 }

/**
 * Derives the client's clocks from Patroni's `ttl`, `loop_wait` and `retry_timeout` (seconds).
 *
 * - `leaseMs = (ttl − loop_wait) / 2`. A leader refreshes its key every `loop_wait`, so when it freezes
 *   the key still lives at least `ttl − loop_wait`, and no other member can be promoted before that.
 *   Half of it leaves room for a slow REST answer and clock drift. 30/10 → 10 s; 10/1 → 4.5 s; 5/1 → 2 s.
 * - `failoverDeadlineMs = ttl + 2·loop_wait + retry_timeout + 2 s`: the key expires `ttl` after its
 *   last refresh, a replica notices within `loop_wait`, its leader race asks every member's status
 *   with a fixed 2 s timeout (Patroni's `Ha.fetch_node_status`), which an unreachable old leader uses
 *   up, it promotes within `retry_timeout`, and the new role shows at its next loop. 30/10/10 → 62 s;
 *   10/1/4 → 18 s; 20/1/5 → 29 s. Measured on the lab (Patroni 4.0.7, 20/1/5): a partitioned leader
 *   was replaced after 24.3–25.5 s; the old bound, `ttl + loop_wait + retry_timeout` (26 s), failed
 *   the writes sent at the fault (`npm run bench:lab`).
 * - `discoveryIntervalMs = min(loop_wait, leaseMs / 4)`: about four renewals per lease.
 * - `restTimeoutMs = leaseMs / 5`, clamped to 300–2000 ms.
 *
 * @example
 * ```ts
 * deriveTiming({ ttl: 10, loop_wait: 1, retry_timeout: 4 }) // { leaseMs: 4500, failoverDeadlineMs: 18000, … }
 * ```
 */
export function deriveTiming(patroni: PatroniTiming): ClientTiming {
  const leaseMs = Math.max(500, Math.floor(((patroni.ttl - patroni.loop_wait) * 1000) / 2))
  return {
    leaseMs,
    failoverDeadlineMs: (patroni.ttl + 2 * patroni.loop_wait + patroni.retry_timeout) * 1000 + LEADER_RACE_MS,
    discoveryIntervalMs: Math.max(100, Math.min(patroni.loop_wait * 1000, Math.floor(leaseMs / 4))),
    restTimeoutMs: Math.min(2000, Math.max(300, Math.floor(leaseMs / 5))),
  }
}

/** What Patroni ≥ 3.2 does to the stored values (`Config._validate_and_adjust_timeouts`). */
export function patroniAdjusted(shown: PatroniTiming): PatroniTiming {
  const loopWait = Math.max(1, Math.trunc(shown.loop_wait))
  const retryTimeout = Math.max(3, Math.trunc(shown.retry_timeout))
  const ttl = Math.max(20, Math.trunc(shown.ttl))
  // The rule loop_wait + 2·retry_timeout ≤ ttl: Patroni lowers loop_wait first, and retry_timeout
  // only when loop_wait is already at its minimum of 1.
  if (1 + 2 * retryTimeout > ttl) return { ttl, loop_wait: 1, retry_timeout: Math.floor((ttl - 1) / 2) }
  if (loopWait + 2 * retryTimeout > ttl) return { ttl, loop_wait: ttl - 2 * retryTimeout, retry_timeout: retryTimeout }
  return { ttl, loop_wait: loopWait, retry_timeout: retryTimeout }
}

/** Whether a Patroni version string (`3.0.2`, `4.0.7`) adjusts its timeouts (3.2 and later). */
export function adjustsTimeouts(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10))
  return major > 3 || (major === 3 && minor >= 2)
}

/**
 * The timing the members really run with, for the lease (safety) and for the deadline (liveness).
 * `GET /config` shows what was stored; Patroni ≥ 3.2 runs with {@link patroniAdjusted} values (and may
 * show the stored ones after a later `PATCH /config`), older releases run with what they show. When the
 * version is unknown, the lease takes the smaller ttl and the larger loop_wait (a shorter lease), and
 * the deadline the larger of each (a longer wait): right for both.
 */
export function effectiveTiming(shown: PatroniTiming, version: string | undefined): { lease: PatroniTiming; deadline: PatroniTiming } {
  const adjusted = patroniAdjusted(shown)
  if (version !== undefined) {
    const t = adjustsTimeouts(version) ? adjusted : shown
    return { lease: t, deadline: t }
  }
  const lease = { ttl: Math.min(shown.ttl, adjusted.ttl), loop_wait: Math.max(shown.loop_wait, adjusted.loop_wait), retry_timeout: Math.max(shown.retry_timeout, adjusted.retry_timeout) }
  const deadline = { ttl: Math.max(shown.ttl, adjusted.ttl), loop_wait: Math.max(shown.loop_wait, adjusted.loop_wait), retry_timeout: Math.max(shown.retry_timeout, adjusted.retry_timeout) }
  return { lease, deadline }
}

/**
 * The client's clocks from the effective timing: the lease from the safety view, the failover deadline
 * from the liveness view, and the user's overrides on top. A user `leaseMs` that is not shorter than
 * `ttl − loop_wait` could outlive the leader key, so it is refused (the derived lease is used) and
 * reported in `rejected`.
 */
export function clientTiming(shown: PatroniTiming, version: string | undefined, user: Partial<ClientTiming>): { timing: ClientTiming; lease: PatroniTiming; rejected?: string } {
  const { lease, deadline } = effectiveTiming(shown, version)
  const derived = { ...deriveTiming(lease), failoverDeadlineMs: deriveTiming(deadline).failoverDeadlineMs }
  const maxLeaseMs = (lease.ttl - lease.loop_wait) * 1000
  const { leaseMs, ...rest } = user
  const timing = { ...derived, ...rest }
  if (leaseMs === undefined) return { timing, lease }
  if (leaseMs < maxLeaseMs) return { timing: { ...timing, leaseMs }, lease }
  return { timing, lease, rejected: `leaseMs ${leaseMs} is not shorter than ttl − loop_wait (${maxLeaseMs} ms): using ${derived.leaseMs} ms` }
}
