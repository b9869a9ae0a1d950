import { classifyError, HaPgError } from '@birthday-ha/ha-pg-client'
import { HttpError } from '@birthday-ha/http-adapter'

/**
 * Runs a database call; when the database is unavailable (no leader within the
 * deadline, a lost connection, a failover under way) the client gets a clean 503
 * with Retry-After instead of a 500 or a hang. Any other error passes through.
 */
export async function orUnavailable<T>(call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (error) {
    if (error instanceof HaPgError || classifyError(error).outcome !== 'failed') {
      throw new HttpError(503, {
        title: 'Database unavailable',
        detail:
          error instanceof HaPgError && error.code === 'HAPG_OUTCOME_UNKNOWN'
            ? 'The database failed before confirming the write; it may or may not be stored. Retrying the PUT is safe.'
            : 'The database is unavailable, probably for a failover. Retry shortly.',
        code: 'DATABASE_UNAVAILABLE',
        headers: { 'retry-after': '1' },
        cause: error,
      })
    }
    throw error
  }
}
