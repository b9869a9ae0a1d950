import type { PatroniMember, RestResult } from './patroni-api.js';
/** What one round of `GET /cluster` answers says about leadership. */
export type LeaderDecision = {
    readonly kind: 'candidate';
    readonly member: PatroniMember;
    readonly votes: number;
    readonly unanimous: boolean;
} | {
    readonly kind: 'none';
    readonly reason: 'unreachable' | 'dcs-unavailable' | 'no-leader' | 'ambiguous' | 'standby-cluster';
};
/**
 * Picks the leader candidate from the `/cluster` views of several members. Split answers never flap:
 * the claim with the higher timeline wins, then the one more views agree on; a tie is `ambiguous`
 * and the caller waits for the next round. Pure and deterministic.
 */
export declare function decideLeader(views: readonly RestResult<{
    members?: PatroniMember[];
}>[]): LeaderDecision;
/**
 * Members that may serve reads with at most `maxLagBytes` of lag, least lagging first. The lag is
 * Patroni 4's `replay_lag` (what a read on the replica actually sees) when listed, else `lag` (3.x:
 * the member's WAL position, received or replayed, behind the leader's). Members tagged
 * `noloadbalance` (Patroni's tag for members kept out of read load balancing) never qualify.
 */
export declare function readableReplicas(members: readonly PatroniMember[], maxLagBytes: number): PatroniMember[];
/** Every REST base URL a view mentions (`api_url` is `http://host:port/patroni`; we keep the origin). */
export declare function learnedApiUrls(views: readonly RestResult<{
    members?: PatroniMember[];
}>[]): string[];
/** `http://127.0.0.1:8008/patroni` → `http://127.0.0.1:8008/`. */
export declare function apiBase(apiUrl: string): string;
//# sourceMappingURL=topology.d.ts.map