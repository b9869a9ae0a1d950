import pg from 'pg'
import { HaPgClient } from '@birthday-ha/ha-pg-client'
import { UPSERT_SQL, ackPort, type Writer } from './write-load.js'

export interface Target {
  readonly host: string
  readonly port: number
}
export interface Credentials {
  readonly user: string
  readonly password: string
  readonly database: string
}

/** (a) HaPgClient: upserts marked idempotent. */
export function haPgClientWriter(table: string, patroniUrls: string[], auth: { username: string; password: string }, creds: Credentials): Writer & { client: HaPgClient } {
  const client = new HaPgClient({ patroniUrls, patroniAuth: auth, pg: { ...creds }, pool: { max: 20 } })
  return {
    label: 'HaPgClient',
    client,
    write: async (id) => ackPort(await client.query(UPSERT_SQL(table), [id], { idempotent: true })),
    close: () => client.close(),
  }
}

/** (b) haproxy, (c) a pool pinned to the first leader: a plain pg.Pool to one address, no retries. */
export function plainPoolWriter(label: string, table: string, target: Target, creds: Credentials): Writer {
  const pool = new pg.Pool({ ...creds, host: target.host, port: target.port, max: 20, connectionTimeoutMillis: 2_000, query_timeout: 5_000 })
  pool.on('error', () => {}) // idle clients die on failover; without a listener Node would crash
  return {
    label,
    write: async (id) => ackPort(await pool.query(UPSERT_SQL(table), [id])),
    close: () => pool.end(),
  }
}

/**
 * (d) libpq-style multi-host: one session chosen like `target_session_attrs=read-write` (try each host in
 * order, keep the first that is not read-only); on any connection error, reconnect every 50 ms. Writes
 * issued while disconnected fail at once, as they would for an application using libpq.
 */
export function multiHostWriter(table: string, hosts: readonly Target[], creds: Credentials): Writer {
  let client: pg.Client | undefined
  let connecting: Promise<void> | undefined
  let closed = false
  const drop = (c: pg.Client): void => {
    if (client === c) client = undefined
    c.end().catch(() => {})
    reconnect()
  }
  const tryOnce = async (): Promise<boolean> => {
    for (const h of hosts) {
      const c = new pg.Client({ ...creds, host: h.host, port: h.port, connectionTimeoutMillis: 1_000, query_timeout: 5_000 })
      c.on('error', () => drop(c))
      try {
        await c.connect()
        const { rows } = await c.query<{ ro: string }>('SHOW transaction_read_only')
        if (rows[0]?.ro === 'off') {
          client = c
          return true
        }
      } catch {
        // next host
      }
      await c.end().catch(() => {})
    }
    return false
  }
  function reconnect(): void {
    connecting ??= (async () => {
      while (!closed && !(await tryOnce())) await new Promise((r) => setTimeout(r, 50))
    })().finally(() => (connecting = undefined))
  }
  reconnect()
  return {
    label: 'libpq multi-host',
    write: async (id) => {
      const c = client
      if (c === undefined) throw Object.assign(new Error('not connected'), { code: 'DISCONNECTED' })
      try {
        return ackPort(await c.query(UPSERT_SQL(table), [id]))
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === undefined || code.startsWith('08') || code.startsWith('57P') || code === '25006') drop(c)
        throw err
      }
    },
    close: async () => {
      closed = true
      await connecting
      await client?.end().catch(() => {})
    },
  }
}
