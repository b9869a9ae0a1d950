import pg from 'pg'
import type { UserLog } from './load-generator.js'

/** An acknowledged PUT whose value the leader does not hold. `found` null: the user is missing. */
export interface LostWrite {
  readonly user: string
  readonly expected: string
  readonly found: string | null
  readonly ackedAt: number
}

/** The result of {@link verifyAcks}. */
export interface AckVerification {
  /** Users with an acknowledged PUT. */
  readonly checked: number
  readonly lost: readonly LostWrite[]
  /** Users holding the value of a later PUT whose answer was lost or failed: allowed, it may have committed. */
  readonly laterUnacked: number
}

/**
 * Compares the load's ack log with what the leader stores (user → `YYYY-MM-DD`). A user is fine when
 * it holds its last acknowledged date, or the date of a PUT sent after that one whose outcome is
 * unknown (it failed or got no answer, and may have committed). Anything else is a lost write.
 */
export function verifyAcks(users: ReadonlyMap<string, UserLog>, stored: ReadonlyMap<string, string>): AckVerification {
  let checked = 0
  let laterUnacked = 0
  const lost: LostWrite[] = []
  for (const [user, log] of users) {
    if (log.acked === undefined) continue
    checked++
    const found = stored.get(user) ?? null
    if (found === log.acked.date) continue
    if (found !== null && log.unacked.includes(found)) laterUnacked++
    else lost.push({ user, expected: log.acked.date, found, ackedAt: log.acked.ackedAt })
  }
  return { checked, lost, laterUnacked }
}

/** Reads `username_key → date_of_birth` of `users` from the database at `connectionString` (the leader). */
export async function readStored(connectionString: string, users: readonly string[]): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    const stored = new Map<string, string>()
    for (let i = 0; i < users.length; i += 5_000) {
      const { rows } = await client.query<{ username_key: string; date_of_birth: string }>(
        'SELECT username_key, date_of_birth::text AS date_of_birth FROM birthdays WHERE username_key = ANY($1::text[])',
        [users.slice(i, i + 5_000)])
      for (const row of rows) stored.set(row.username_key, row.date_of_birth)
    }
    return stored
  } finally {
    await client.end()
  }
}
