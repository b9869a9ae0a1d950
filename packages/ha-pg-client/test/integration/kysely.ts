/**
 * Kysely over HaPgClient, on a real PostgreSQL 15: HaPgClient is given to Kysely's own PostgresDialect as
 * its `pool` (Kysely calls `connect()`, `query()` on the client, `release()` and `end()`), with pg-cursor
 * for `.stream()`. Static mode, and Patroni mode (a simulated Patroni REST API in front of the real server),
 * where each statement of the transaction goes through the held client's fence.
 */
import { Kysely, PostgresDialect, sql } from 'kysely'
import Cursor from 'pg-cursor'
import t from 'tap'
import { HaPgClient } from '../../src/ha-pg-client.js'
import { FakePatroni, threeMembers } from '../helpers/fake-patroni.js'
import { startPostgres } from '../helpers/real-postgres.js'

t.setTimeout(120_000)
const server = await startPostgres()
t.teardown(() => server.stop())

interface Database {
  accounts: { id: number; balance: number }
}

const clients = {
  static: () => new HaPgClient({ connectionString: server.connectionString }),
  patroni: () => {
    const patroni = new FakePatroni(threeMembers().map((m) => ({ ...m, host: '127.0.0.1', port: server.port })))
    return new HaPgClient({ patroniUrls: ['http://127.0.0.1:8001'], dispatcher: patroni.agent, pg: { user: 'postgres', database: 'postgres' }, leaseMs: 400, discoveryIntervalMs: 100, restTimeoutMs: 80, random: () => 0.5 })
  },
}

for (const [mode, open] of Object.entries(clients)) {
  t.test(`${mode}: a Kysely transaction through HaPgClient`, async (t) => {
    const client = open()
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: client, cursor: Cursor }) })
    await sql`DROP TABLE IF EXISTS accounts`.execute(db)
    await sql`CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL CHECK (balance >= 0))`.execute(db)
    await db.insertInto('accounts').values([{ id: 1, balance: 100 }, { id: 2, balance: 0 }]).execute()

    const move = (amount: number) =>
      db.transaction().execute(async (trx) => {
        const pid = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)
        await trx.updateTable('accounts').set((eb) => ({ balance: eb('balance', '+', amount) })).where('id', '=', 2).execute()
        await trx.updateTable('accounts').set((eb) => ({ balance: eb('balance', '-', amount) })).where('id', '=', 1).execute()
        const again = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)
        t.equal(again.rows[0]?.pid, pid.rows[0]?.pid, 'one session for the whole transaction')
      })
    await move(30)
    const balances = async () => (await db.selectFrom('accounts').select(['id', 'balance']).orderBy('id').execute()).map((r) => r.balance)
    t.strictSame(await balances(), [70, 30], 'committed')

    // The second UPDATE breaks the CHECK: the whole transaction rolls back, the first UPDATE included.
    await t.rejects(move(500), { code: '23514' })
    t.strictSame(await balances(), [70, 30], 'rolled back')
    t.equal(client.totalCount - client.idleCount, 0, 'every session went back to the pool')

    const streamed: number[] = []
    for await (const row of db.selectFrom('accounts').select('balance').orderBy('id').stream(1)) streamed.push(row.balance)
    t.strictSame(streamed, [70, 30], '.stream() through a pg-cursor')

    await db.destroy() // Kysely ends its pool: HaPgClient#end()
    t.ok(client.ending)
    await t.rejects(client.query('SELECT 1'), { code: 'HAPG_CLOSED' })
  })
}
