import type { PatroniTiming } from './patroni-api.js';
/** The client's own clocks, all in milliseconds. */
export interface ClientTiming {
    readonly leaseMs: number;
    readonly failoverDeadlineMs: number;
    readonly discoveryIntervalMs: number;
    readonly restTimeoutMs: number;
}
/** Patroni's defaults, used until `GET /config` answered. */
export declare const PATRONI_DEFAULT_TIMING: PatroniTiming;
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
export declare function deriveTiming(patroni: PatroniTiming): ClientTiming;
/** What Patroni ≥ 3.2 does to the stored values (`Config._validate_and_adjust_timeouts`). */
export declare function patroniAdjusted(shown: PatroniTiming): PatroniTiming;
/** Whether a Patroni version string (`3.0.2`, `4.0.7`) adjusts its timeouts (3.2 and later). */
export declare function adjustsTimeouts(version: string): boolean;
/**
 * The timing the members really run with, for the lease (safety) and for the deadline (liveness).
 * `GET /config` shows what was stored; Patroni ≥ 3.2 runs with {@link patroniAdjusted} values (and may
 * show the stored ones after a later `PATCH /config`), older releases run with what they show. When the
 * version is unknown, the lease takes the smaller ttl and the larger loop_wait (a shorter lease), and
 * the deadline the larger of each (a longer wait): right for both.
 */
export declare function effectiveTiming(shown: PatroniTiming, version: string | undefined): {
    lease: PatroniTiming;
    deadline: PatroniTiming;
};
/**
 * The client's clocks from the effective timing: the lease from the safety view, the failover deadline
 * from the liveness view, and the user's overrides on top. A user `leaseMs` that is not shorter than
 * `ttl − loop_wait` could outlive the leader key, so it is refused (the derived lease is used) and
 * reported in `rejected`.
 */
export declare function clientTiming(shown: PatroniTiming, version: string | undefined, user: Partial<ClientTiming>): {
    timing: ClientTiming;
    lease: PatroniTiming;
    rejected?: string;
};
//# sourceMappingURL=timing.d.ts.map