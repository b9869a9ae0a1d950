import type pg from 'pg';
import type { LeaderEpoch } from './leader-tracker.js';
import type { MemberPool } from './member-pool.js';
import { type StatementLimits } from './statement.js';
/** What fencing a held client needs from HaPgClient. */
export interface HoldContext {
    readonly pool: MemberPool;
    readonly epoch: LeaderEpoch;
    /** Resolves with the currently leased epoch, waiting for one up to the failover deadline. */
    waitForLease(): Promise<LeaderEpoch>;
    /** Whether `epoch` is leased right now. */
    hasLease(epoch: LeaderEpoch): boolean;
    /** Rejects with `HAPG_OUTCOME_UNKNOWN` unless an acknowledgement at `ackAt` counts for `epoch`. */
    confirmAck(epoch: LeaderEpoch, ackAt: number): Promise<void>;
    now(): number;
    /** Default per-statement limits (the client's `queryTimeoutMs`). */
    readonly limits: StatementLimits;
}
/** Per-statement options a held client's `query` takes as a third argument, like HaPgClient#query. */
export interface HeldQueryOptions {
    readonly timeoutMs?: number;
    readonly signal?: AbortSignal;
}
/**
 * Puts a client checked out on the leader under the same write guarantee as `HaPgClient#query`
 * (issue #11, critical 2):
 * - before each statement, the lease of the client's epoch must be valid (waiting for it, bounded);
 *   if another epoch was leased meanwhile, the session is on a deposed leader: it is destroyed and the
 *   statement fails with `HAPG_SESSION_FENCED` without being sent;
 * - each acknowledgement must arrive under that lease (or the epoch is re-confirmed), else
 *   `HAPG_OUTCOME_UNKNOWN`, and the session is destroyed so nothing more runs in it;
 * - when the epoch's pool retires, the session is destroyed at once (HAProxy's
 *   `on-marked-down shutdown-sessions`); statements in flight get `HAPG_OUTCOME_UNKNOWN`.
 * Submittables (pg-cursor, pg-query-stream) are passed through unfenced, after the same pre-checks.
 * Returns the function that lifts the fence (call it before release); it says whether the session was fenced (then destroy it).
 */
export declare function fenceClient(client: pg.PoolClient, ctx: HoldContext): () => boolean;
//# sourceMappingURL=held-client.d.ts.map