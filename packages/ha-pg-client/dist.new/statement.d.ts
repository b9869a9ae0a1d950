import type pg from 'pg';
/** The part of MemberPool a statement needs: aborts when the pool retires. */
export interface AbortRegistry {
    track(abort: (reason: Error) => void): () => void;
}
/** What bounds one statement. */
export interface StatementLimits {
    /** The caller's own timeout; none by default (a long query on a healthy, leased leader runs on). */
    readonly timeoutMs?: number | undefined;
    /** The caller's AbortSignal. */
    readonly signal?: AbortSignal | undefined;
    /**
     * On timeout or abort, first cancel the statement on the server (CancelRequest), then destroy the
     * connection. `false` for the client's own short checks, where dropping the socket is enough.
     */
    readonly cancel?: boolean;
}
/**
 * Runs one statement. It ends early when:
 * - `limits.timeoutMs` passes (`HAPG_STATEMENT_TIMEOUT`) or `limits.signal` aborts (`HAPG_ABORTED`):
 *   a CancelRequest stops the backend (dropping the socket alone leaves it running until it next
 *   writes), then the connection is destroyed;
 * - its pool retires (a deposed leader, or a lease lost for the whole failover deadline): the socket is
 *   destroyed at once. `statement_timeout` does not interrupt a commit that waits for a synchronous standby.
 */
export declare function runStatement<R extends pg.QueryResultRow>(client: pg.PoolClient, pool: AbortRegistry, query: pg.QueryConfig, limits?: StatementLimits): Promise<pg.QueryResult<R>>;
/** Drops the connection under a client at once (the next query on it fails as "not queryable"). */
export declare function destroySocket(client: pg.PoolClient): void;
//# sourceMappingURL=statement.d.ts.map