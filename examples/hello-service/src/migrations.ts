import type { Queryable } from './queryable.js'

/** One schema change. Versions only ever grow; an applied migration is never edited. */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create birthdays',
    sql: `
      CREATE TABLE birthdays (
        username_key  text PRIMARY KEY CHECK (char_length(username_key) BETWEEN 1 AND 64),
        username      text NOT NULL CHECK (char_length(username) BETWEEN 1 AND 64),
        date_of_birth date NOT NULL CHECK (date_of_birth >= DATE '1900-01-01'),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`,
  },
  {
    // A valid name has at most 64 code points, but lower-casing can double one ("İ" becomes "i" + U+0307),
    // so its key can reach 128. Version 1 capped the key at 64 and refused such valid names.
    version: 2,
    name: 'key holds any lower-cased valid name',
    sql: `
      ALTER TABLE birthdays DROP CONSTRAINT birthdays_username_key_check,
        ADD CONSTRAINT birthdays_username_key_check CHECK (char_length(username_key) BETWEEN 1 AND 128)`,
  },
]

/**
 * A constant key for pg_advisory_xact_lock, so that instances starting at the
 * same time apply migrations one after another (the lock is released at COMMIT).
 */
const MIGRATION_LOCK_KEY = 7_051_942_361

/**
 * Applies every migration not yet recorded in schema_migrations, in one
 * transaction under an advisory lock. Returns the versions it applied.
 * `grantTo`, when given, is a role that gets exactly the rights the service needs.
 */
export async function migrate(
  db: Queryable & { withTransaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  options: { grantTo?: string } = {},
): Promise<number[]> {
  return db.withTransaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY])
    // Checked before creating: a role without CREATE on the schema can still start on a migrated database.
    const { rows: exists } = await tx.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
    if (!exists[0]?.present) {
      await tx.query(`
        CREATE TABLE schema_migrations (
          version    integer PRIMARY KEY,
          name       text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`)
    }
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations')
    const applied = new Set(rows.map((row) => row.version))
    const done: number[] = []
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue
      await tx.query(migration.sql)
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ])
      done.push(migration.version)
    }
    if (options.grantTo !== undefined) {
      const role = quoteIdentifier(options.grantTo)
      await tx.query(`GRANT SELECT, INSERT, UPDATE ON birthdays TO ${role}`)
      await tx.query(`GRANT SELECT ON schema_migrations TO ${role}`)
    }
    return done
  })
}

/** Quotes an SQL identifier (role names cannot be bound as parameters). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
