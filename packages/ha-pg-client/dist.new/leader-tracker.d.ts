import type { PatroniApi, PatroniMember } from './patroni-api.js';
import { type ClientTiming } from './timing.js';
/** One leader epoch: a member on a timeline. A new epoch means a new pool. */
export interface LeaderEpoch {
    readonly id: number;
    readonly name: string;
    readonly host: string;
    readonly port: number;
    readonly timeline: number;
    /** Its Patroni REST base URL. */
    readonly apiUrl: string;
}
export interface TrackerHooks {
    leaderChanged(from: LeaderEpoch | undefined, to: LeaderEpoch): void;
    discoveryFailed(error: unknown): void;
    /** After every discovery round (the client's watchdog of statements on a leader without a lease). */
    afterRound?(): void;
    /** A user timing that Patroni's timing makes unsafe, and what is used instead. */
    timingRejected?(why: string): void;
}
export interface LeaderTrackerOptions {
    readonly urls: readonly string[];
    readonly api: PatroniApi;
    readonly timing: Partial<ClientTiming>;
    readonly now: () => number;
    readonly random: () => number;
    readonly hooks: TrackerHooks;
    /** First poll period while callers wait for a leader; it doubles (with jitter) up to the discovery interval. */
    readonly waitPollMs?: number;
    /** How often `GET /config` is read again (Patroni's timing can change at run time). Default 30 s. */
    readonly configRefreshMs?: number;
    /** A wall clock, only to read Patroni's `dcs_last_seen` (a Unix time). Default `Date.now`. */
    readonly wallClock?: () => number;
}
/**
 * Finds and leases the leader. Discovery asks every member's `/cluster` in parallel, picks a candidate
 * ({@link decideLeader}) and confirms it with `GET /primary` on that member. A confirmation sent at `t`
 * grants a lease until `t + leaseMs`; writes are only sent, and only reported successful, under a lease.
 */
export declare class LeaderTracker {
    #private;
    readonly counters: {
        leaderChanges: number;
        discoveryFailures: number;
        refreshes: number;
        restCalls: number;
    };
    constructor(options: LeaderTrackerOptions);
    get timing(): ClientTiming;
    get leader(): LeaderEpoch | undefined;
    get members(): readonly PatroniMember[];
    /** Milliseconds since the current lease was granted, or undefined without a leader. */
    leaseAge(): number | undefined;
    /** Total milliseconds spent without a valid lease (including now, if leaderless). */
    msWithoutLeader(): number;
    /** Whether `epoch` is leased at time `at`. */
    hasLease(epoch: LeaderEpoch, at?: number): boolean;
    /** 0 while a lease is valid; else how long ago the last one ended (Infinity if there never was one). */
    leaseLostForMs(): number;
    /** Whether the leased epoch is `epoch` and its lease began after `at` (a re-confirmation covering `at`). */
    confirmedSince(epoch: LeaderEpoch, at: number): boolean;
    start(): void;
    /** One discovery round; concurrent callers share the round in flight (single-flight). */
    refresh(): Promise<void>;
    /**
     * Resolves with the leased epoch, waiting (polling discovery) until `deadline`. Rejects with
     * `HAPG_NO_LEADER` at once when the members answer that their DCS is down, and with
     * `HAPG_FAILOVER_TIMEOUT` when the deadline passes.
     */
    waitForLease(deadline: number): Promise<LeaderEpoch>;
    /** Ends the current lease at once (the leader's session said it is read-only, or a member named another leader). */
    revoke(): void;
    close(): Promise<void>;
}
//# sourceMappingURL=leader-tracker.d.ts.map