import { HaPgClient, type HaPgClientOptions, type PatroniTlsOptions } from '@birthday-ha/ha-pg-client'

/**
 * The service's database: an HaPgClient. In static mode (embedded PostgreSQL or
 * DATABASE_URL) it is one plain pool; with PATRONI_URLS it follows the leader.
 */
export type Database = HaPgClient

/** Where the database is: one connection string, or a Patroni cluster. */
export type DatabaseTarget =
  | { readonly connectionString: string }
  | {
      readonly patroniUrls: readonly string[]
      readonly user: string
      readonly password: string
      readonly database: string
      readonly patroniAuth?: { readonly username: string; readonly password: string }
      readonly patroniTls?: PatroniTlsOptions
    }

export interface DatabaseOptions {
  /** Connections per pool. */
  max?: number
  /** Bound on how long one call waits for a leader or retries (HaPgClient's failoverDeadlineMs). */
  deadlineMs?: number
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void }
}

/** Opens the database, failover-aware when the target is a Patroni cluster. */
export function openDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): Database {
  const pool = { max: options.max ?? 10 }
  const logger = options.logger && { logger: options.logger }
  const deadline = options.deadlineMs !== undefined && { failoverDeadlineMs: options.deadlineMs }
  const clientOptions: HaPgClientOptions =
    'connectionString' in target
      ? { connectionString: target.connectionString, pool, ...logger, ...deadline }
      : {
          patroniUrls: target.patroniUrls,
          pg: { user: target.user, password: target.password, database: target.database },
          pool,
          ...(target.patroniAuth && { patroniAuth: target.patroniAuth }),
          ...(target.patroniTls && { patroniTls: target.patroniTls }),
          ...logger,
          ...deadline,
        }
  return new HaPgClient(clientOptions)
}
