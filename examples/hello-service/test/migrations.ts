import t from 'tap'
import { openDatabase } from '../src/database.js'
import { migrate, migrations, quoteIdentifier } from '../src/migrations.js'
import { throwawayPostgres } from './fixtures/embedded.js'

const pg = await throwawayPostgres()
t.teardown(() => pg.dispose())

t.test('instances starting at once apply each migration exactly once', async (t) => {
  const instances = Array.from({ length: 5 }, () => openDatabase({ connectionString: pg.adminUrl }, { max: 1 }))
  const applied = await Promise.all(instances.map((db) => migrate(db, { grantTo: pg.appRole })))
  await Promise.all(instances.map((db) => db.close()))
  t.strictSame(applied.flat().sort(), migrations.map((m) => m.version), 'each version applied by one instance only')
  const db = openDatabase({ connectionString: pg.adminUrl })
  t.teardown(() => db.close())
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
  t.strictSame(rows.map((row) => row.version), migrations.map((m) => m.version))
  t.strictSame(await migrate(db), [], 'a later start applies nothing')
})

t.test('the app role can read and write birthdays, and nothing more', async (t) => {
  const app = openDatabase({ connectionString: pg.appUrl })
  t.teardown(() => app.close())
  await app.query("INSERT INTO birthdays (username_key, username, date_of_birth) VALUES ('x', 'x', '2000-01-01')")
  const { rows } = await app.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')
  t.equal(rows[0]?.rolsuper, false)
  await t.rejects(app.query('DROP TABLE birthdays'), { code: '42501' })
  await t.rejects(app.query('DELETE FROM birthdays'), { code: '42501' })
  await t.rejects(app.query('CREATE TABLE evil (id int)'), { code: '42501' })
  t.strictSame(await migrate(app), [], 'the app role starts on a migrated database without needing DDL rights')
})

t.test('the schema itself refuses impossible rows', async (t) => {
  const db = openDatabase({ connectionString: pg.adminUrl })
  t.teardown(() => db.close())
  await t.rejects(db.query("INSERT INTO birthdays VALUES ('old', 'old', '1899-12-31')"), { code: '23514' })
  await t.rejects(db.query(`INSERT INTO birthdays VALUES ('${'a'.repeat(129)}', 'a', '2000-01-01')`), { code: '23514' })
  await t.rejects(db.query(`INSERT INTO birthdays VALUES ('a', '${'a'.repeat(65)}', '2000-01-01')`), { code: '23514' })
  await db.query(`INSERT INTO birthdays VALUES ('${'i\u0307'.repeat(64)}', '${'İ'.repeat(64)}', '2000-01-01')`)
})

t.test('a failing transaction rolls back and releases its connection', async (t) => {
  const db = openDatabase({ connectionString: pg.adminUrl }, { max: 1 })
  t.teardown(() => db.close())
  await t.rejects(
    db.withTransaction(async (tx) => {
      await tx.query("INSERT INTO birthdays VALUES ('rolled', 'rolled', '2000-01-01')")
      await tx.query('SELECT 1/0')
    }),
    { code: '22012' },
  )
  const { rowCount } = await db.query("SELECT 1 FROM birthdays WHERE username_key = 'rolled'")
  t.equal(rowCount, 0)
})

t.test('a transaction whose connection dies is not handed out again', async (t) => {
  const db = openDatabase({ connectionString: pg.adminUrl }, { max: 1 })
  const admin = openDatabase({ connectionString: pg.adminUrl }, { max: 1 })
  t.teardown(() => Promise.all([db.close(), admin.close()]))
  await t.rejects(
    db.withTransaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid])
      await tx.query('SELECT 1')
    }),
  )
  const { rows } = await db.query<{ one: number }>('SELECT 1 AS one')
  t.equal(rows[0]?.one, 1, 'the pool opened a fresh connection')
})

t.test('identifiers are quoted', async (t) => {
  t.equal(quoteIdentifier('a"b'), '"a""b"')
})
