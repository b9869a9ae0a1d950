/**
 * Every stable error code the client raises. Callers match on `err.code`.
 * The README lists each one; a unit test keeps both in sync.
 */
export const HA_PG_ERROR_CODES = [
  'HAPG_INVALID_OPTIONS',
  'HAPG_NO_LEADER',
  'HAPG_FAILOVER_TIMEOUT',
  'HAPG_OUTCOME_UNKNOWN',
  'HAPG_NOT_WRITABLE',
  'HAPG_DISCOVERY_FAILED',
  'HAPG_STATEMENT_TIMEOUT',
  'HAPG_CLOSED',
  'HAPG_SESSION_FENCED',
  'HAPG_ABORTED',
  'HAPG_STANDBY_CLUSTER',
  'HAPG_PATRONI_AUTH',
  'HAPG_PATRONI_TLS',
] as const

/** One of {@link HA_PG_ERROR_CODES}. */
export type HaPgErrorCode = (typeof HA_PG_ERROR_CODES)[number]

/**
 * The one error class of `@birthday-ha/ha-pg-client`. `code` is stable; `cause`
 * keeps the underlying pg / socket / undici error when there is one.
 *
 * @example
 * ```ts
 * try { await db.query('INSERT …') } catch (err) {
 *   if (err instanceof HaPgError && err.code === 'HAPG_OUTCOME_UNKNOWN') reconcile()
 * }
 * ```
 */
export class HaPgError extends Error {
  readonly code: HaPgErrorCode

  constructor(code: HaPgErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HaPgError'
    this.code = code
  }
}
