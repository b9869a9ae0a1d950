import { EventEmitter } from 'node:events';
import pg from 'pg';
import { type PoolCounts } from './member-pool.js';
import { type HaPgClientOptions } from './options.js';
/** Per-call options of {@link HaPgClient.query}. */
export interface QueryOptions {
    /** `leader` (default) or `replica`: a replica within `maxLagBytes`, else the leader. */
    readonly role?: 'leader' | 'replica';
    /** Replica reads only: the most replay lag (bytes, from `/cluster`) accepted. Default: 1 MiB. */
    readonly maxLagBytes?: number;
    /** The statement may run twice: retry it even when its outcome is unknown. */
    readonly idempotent?: boolean;
    /**
     * Bound on the whole call (waiting for a leader, checkout, statement). On expiry the statement is
     * cancelled on the server (CancelRequest) and the call fails with `HAPG_STATEMENT_TIMEOUT`.
     * Default: the client's `queryTimeoutMs`, else none for the statement itself.
     */
    readonly timeoutMs?: number;
    /** Aborts the call (`HAPG_ABORTED`); a statement already sent is cancelled on the server. */
    readonly signal?: AbortSignal;
}
/** Typed events, each with one payload object. */
export interface HaPgClientEvents {
    leaderChanged: [{
        readonly from: string | null;
        readonly to: string;
        readonly timeline: number;
    }];
    discoveryFailed: [{
        readonly error: unknown;
    }];
    poolRetired: [{
        readonly member: string;
        readonly reason: string;
    }];
    retry: [{
        readonly attempt: number;
        readonly code: string;
        readonly delayMs: number;
    }];
}
/** A snapshot for `/readyz`, logs and Prometheus. */
export interface ClientStats {
    readonly mode: 'static' | 'patroni';
    readonly leader: {
        readonly name: string;
        readonly host: string;
        readonly port: number;
        readonly timeline: number;
    } | null;
    readonly leaseValid: boolean;
    readonly leaseAgeMs: number | null;
    readonly pools: readonly PoolCounts[];
    readonly counters: {
        readonly leaderChanges: number;
        readonly retries: number;
        readonly retiredPools: number;
        readonly discoveryFailures: number;
        readonly msWithoutLeader: number;
        /** Patroni REST calls sent so far (divide by uptime for calls/s; see the README's fleet figures). */
        readonly restCalls: number;
    };
}
/**
 * A failover-aware replacement for `pg.Pool`: it finds the leader through Patroni's REST API, sends
 * writes only under a client-side lease, keeps one pool per leader epoch and retries what is safe.
 *
 * @example
 * ```ts
 * const db = new HaPgClient({ patroniUrls: ['http://10.0.0.1:8008', 'http://10.0.0.2:8008'], pg: { user: 'app', password, database: 'app' } })
 * await db.query('INSERT INTO users(name) VALUES ($1) ON CONFLICT DO NOTHING', ['ann'], { idempotent: true })
 * const { rows } = await db.query('SELECT * FROM users', [], { role: 'replica', maxLagBytes: 1 << 20 })
 * await db.close()
 * ```
 */
export declare class HaPgClient extends EventEmitter<HaPgClientEvents> implements AsyncDisposable {
    #private;
    constructor(options: HaPgClientOptions);
    /**
     * `pg.Pool#query`-compatible (a trailing callback works too); a third argument routes (`role`),
     * marks idempotent statements and bounds the call (`timeoutMs`, `signal`).
     */
    query<R extends pg.QueryResultRow = any>(textOrConfig: string | pg.QueryConfig, values?: unknown[], options?: QueryOptions): Promise<pg.QueryResult<R>>;
    query<R extends pg.QueryResultRow = any>(textOrConfig: string | pg.QueryConfig, callback: (err: Error | null, result?: pg.QueryResult<R>) => void): void;
    query<R extends pg.QueryResultRow = any>(textOrConfig: string | pg.QueryConfig, values: unknown[] | undefined, callback: (err: Error | null, result?: pg.QueryResult<R>) => void): void;
    /**
     * A client checked out on the leader (lease held, session writable), under the same write guarantee
     * as `query()`: see {@link fenceClient}. Release it as usual.
     */
    connect(): Promise<pg.PoolClient>;
    /**
     * Runs `fn` inside BEGIN/COMMIT on the leader; ROLLBACK (bounded) on error. `fn` gets a fenced client
     * (as from `connect()`). Retried whole only when `idempotent` or when BEGIN never ran.
     */
    withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>, options?: {
        idempotent?: boolean;
        timeoutMs?: number;
        signal?: AbortSignal;
    }): Promise<T>;
    /** Resolves when a confirmed, writable leader answers (static mode: `SELECT 1`); rejects with a HaPgError. */
    ping(options?: {
        timeoutMs?: number;
    }): Promise<void>;
    stats(): ClientStats;
    /** Graceful and idempotent: stops discovery, closes every pool and the REST agent. */
    close(): Promise<void>;
    /** `pg.Pool#end`: the same as {@link close}. */
    end(): Promise<void>;
    /** `pg.Pool`'s counts, over the current leader pool. */
    get totalCount(): number;
    get idleCount(): number;
    get waitingCount(): number;
    [Symbol.asyncDispose](): Promise<void>;
}
//# sourceMappingURL=ha-pg-client.d.ts.map