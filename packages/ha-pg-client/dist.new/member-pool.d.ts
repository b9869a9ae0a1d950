import pg from 'pg';
import { type AbortRegistry } from './statement.js';
/**
 * A pg.Client that remembers the server's `in_hot_standby` and `default_transaction_read_only`
 * ParameterStatus (PostgreSQL 14+ reports both, and updates them on promotion or reload), which is what
 * libpq's `target_session_attrs=read-write` looks at.
 */
export declare class FencedClient extends pg.Client {
    /** `true` on a standby, `false` on a writable primary, `undefined` if the server never said (PostgreSQL < 14). */
    hotStandby: boolean | undefined;
    /** `default_transaction_read_only` as reported, `undefined` if the server never said (PostgreSQL < 14). */
    defaultReadOnly: boolean | undefined;
    constructor(config?: string | pg.ClientConfig);
}
/** What the pool is for: the leader of one epoch, or one replica. */
export interface PoolTarget {
    readonly member: string;
    readonly role: 'leader' | 'replica';
}
/** Counts for stats(): the same three numbers pg.Pool exposes. */
export interface PoolCounts {
    readonly member: string;
    readonly role: 'leader' | 'replica';
    readonly total: number;
    readonly idle: number;
    readonly waiting: number;
}
/**
 * One pg.Pool bound to one member (`config` carries its host and port) (and, for the leader, one epoch).
 * Retiring it closes idle connections at once, destroys checked-out ones when they are released
 * (pg-pool's `end()`), aborts what this client has in flight or holds on it (its acknowledgement could
 * no longer count), and rejects every checkout still waiting: pg-pool's `end()` leaves waiters pending
 * forever (issue #11, critical 1), so the pool keeps its own list of them.
 */
export declare class MemberPool {
    #private;
    readonly target: PoolTarget;
    constructor(Pool: typeof pg.Pool, config: pg.PoolConfig, target: PoolTarget, onIdleError: (err: Error) => void);
    get retired(): boolean;
    /**
     * Checks out a client within `timeoutMs` (the rest of the caller's deadline). Errors here mean the
     * statement never ran. A client that arrives after the caller gave up goes straight back to the pool.
     */
    checkout(timeoutMs: number): Promise<pg.PoolClient>;
    /** Registers an abort for a statement in flight or a session held by a caller; returns the unregister function. */
    track(abort: (reason: Error) => void): () => void;
    /** Whether nothing uses this pool: no connection, no waiter, nothing in flight or held. */
    get unused(): boolean;
    counts(): PoolCounts;
    /** Idempotent. Resolves when every connection of this pool is closed. */
    retire(reason: string): Promise<void>;
}
/**
 * Throws `HAPG_NOT_WRITABLE` unless the session is on a writable primary whose default transactions are
 * read-write, as libpq's `target_session_attrs=read-write` decides. Reported `in_hot_standby = off` and
 * `default_transaction_read_only = off` are trusted; otherwise (`on`, or PostgreSQL < 14) one query
 * decides: a session opened while the leader was still promoting says `on` until the server next
 * answers it, so it is asked again rather than thrown away (the server reports the new value with the
 * answer). Bounded by `timeoutMs`, like every step of the connection path.
 */
export declare function ensureWritable(client: pg.PoolClient, pool: AbortRegistry, timeoutMs: number): Promise<void>;
//# sourceMappingURL=member-pool.d.ts.map