import type { QueryConfig, QueryResult, QueryResultRow } from 'pg'

/** Per-call hints, understood by @birthday-ha/ha-pg-client and ignored by a plain pg.Pool. */
export interface QueryHints {
  /** The statement may be run twice with the same effect, so it can be retried when its outcome is unknown. */
  idempotent?: boolean
  /**
   * Bound on the whole call, the statement included (HaPgClient cancels it on the server): a statement
   * sent to a leader that then froze or was cut off would otherwise wait until its pool is retired.
   */
  timeoutMs?: number
}

/**
 * What the service needs from a database: `pg.Pool#query`'s shape. Both a
 * plain `pg.Pool` and `HaPgClient` satisfy it.
 */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    textOrConfig: string | QueryConfig,
    values?: unknown[],
    hints?: QueryHints,
  ): Promise<QueryResult<R>>
}
