/**
 * MemberPool#warm on the real pg.Pool and a real PostgreSQL 15: pg-pool counts a session from its connect
 * on (`totalCount`), so warming again while sessions still open adds none, and the warmed sessions wait
 * idle for the first checkouts (src/warm-up.ts).
 */
import pg from 'pg'
import t from 'tap'
import { MemberPool } from '../../src/member-pool.js'
import { startPostgres } from '../helpers/real-postgres.js'

t.setTimeout(60_000)
const server = await startPostgres()
t.teardown(() => server.stop())

const backends = async (): Promise<number> => {
  const c = new pg.Client({ connectionString: server.connectionString })
  await c.connect()
  const { rows } = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'warm-test'")
  await c.end()
  return rows[0]?.n ?? -1
}

t.test('warm() opens sessions up to a count, once, and leaves them idle for checkouts', async (t) => {
  const pool = new MemberPool(pg.Pool, { connectionString: server.connectionString, application_name: 'warm-test', max: 10 }, { member: 'pg', role: 'leader' }, () => {})
  pool.warm(3, 5_000)
  pool.warm(3, 5_000)
  t.equal(pool.counts().total, 3, 'sessions still connecting count')
  while (pool.counts().idle < 3) await new Promise((r) => setTimeout(r, 10))
  t.equal(await backends(), 3)
  pool.warm(5, 5_000)
  while (pool.counts().idle < 5) await new Promise((r) => setTimeout(r, 10))
  t.equal(await backends(), 5, 'topped up to the new count')
  const client = await pool.checkout(1_000)
  t.equal(pool.counts().total, 5, 'a checkout takes a warmed session')
  client.release()
  await pool.retire('test')
  pool.warm(2, 5_000)
  t.equal(pool.counts().total, 0, 'a retired pool opens nothing')
  t.equal(await backends(), 0)
})
