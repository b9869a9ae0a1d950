import pg from 'pg'

/**
 * Runs one query on a fresh connection with short deadlines (connect and query 2 s each) and
 * closes it. For readiness checks and tests; never a pool, so nothing lingers.
 */
export async function queryOnce<R extends pg.QueryResultRow>(connectionString: string, sql: string,
  values: readonly unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000, query_timeout: 2000 })
  client.on('error', () => {}) // a dying server after connect surfaces through the query promise
  try {
    await client.connect()
    return (await client.query<R>(sql, [...values])).rows
  } finally {
    await client.end().catch(() => {})
  }
}
