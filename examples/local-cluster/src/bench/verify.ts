import pg from 'pg'

/** Ids from `acked` that are NOT present in `table` on the server at `connectionString`. */
export async function missingAcked(connectionString: string, table: string, acked: readonly number[]): Promise<number[]> {
  const client = new pg.Client({ connectionString })
  await client.connect()
  try {
    const { rows } = await client.query<{ id: string }>(`SELECT a.id FROM unnest($1::bigint[]) AS a(id) LEFT JOIN ${table} t ON t.id = a.id WHERE t.id IS NULL`, [acked])
    return rows.map((r) => Number(r.id))
  } finally {
    await client.end()
  }
}
