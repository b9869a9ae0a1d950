import { LookupBatcher } from './lookup-batcher.js'
import type { Queryable } from './queryable.js'

/** A stored date of birth, as the ISO calendar date `YYYY-MM-DD`. */
export interface StoredBirthday {
  readonly dateOfBirth: string
}

// Named statements are prepared once per connection by pg, then only bound and executed.
const upsertStatement = {
  name: 'birthday_upsert',
  text: `INSERT INTO birthdays (username_key, username, date_of_birth) VALUES ($1, $2, $3)
         ON CONFLICT (username_key) DO UPDATE
         SET username = EXCLUDED.username, date_of_birth = EXCLUDED.date_of_birth, updated_at = now()`,
} as const

// date_of_birth::text keeps the calendar date a string: pg would otherwise
// build a JS Date at local midnight, which shifts with the process time zone.
const findManyStatement = {
  name: 'birthday_find_many',
  text: 'SELECT username_key, date_of_birth::text AS date_of_birth FROM birthdays WHERE username_key = ANY($1::text[])',
} as const

/** Reads and writes birthdays; concurrent reads are coalesced into one query. */
export class BirthdayStore {
  readonly #db: Queryable
  readonly #lookups: LookupBatcher<StoredBirthday>
  readonly #hints: { idempotent: true; timeoutMs?: number }

  /** `timeoutMs` bounds every call (see `QueryHints.timeoutMs`); found by the lab's freeze drill. */
  constructor(db: Queryable, options: { maxBatchSize?: number; timeoutMs?: number } = {}) {
    this.#db = db
    this.#hints = { idempotent: true, ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) }
    this.#lookups = new LookupBatcher((keys) => this.#findMany(keys), options)
  }

  /** Stores (or replaces) the date of birth of the user with this key. */
  async save(key: string, username: string, dateOfBirth: string): Promise<void> {
    // An upsert of fixed values ends in the same state if it runs twice, so it is safe to retry.
    await this.#db.query(upsertStatement, [key, username, dateOfBirth], this.#hints)
  }

  /** The stored birthday for this key, or undefined. */
  find(key: string): Promise<StoredBirthday | undefined> {
    return this.#lookups.load(key)
  }

  async #findMany(keys: readonly string[]): Promise<ReadonlyMap<string, StoredBirthday>> {
    const { rows } = await this.#db.query<{ username_key: string; date_of_birth: string }>(
      findManyStatement,
      [keys],
      this.#hints,
    )
    return new Map(rows.map((row) => [row.username_key, { dateOfBirth: row.date_of_birth }]))
  }
}
