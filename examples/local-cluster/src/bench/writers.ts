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
 * (d) libpq-style multi-host: `sessions` connections (default 8; one connection cannot carry 200
 * upserts/s on this machine), each chosen like `target_session_attrs=read-write`: try each host in
 * order, keep the first whose `transaction_read_only` is `off`. On any connection error a session is
 * dropped and, every 50 ms, each host is tried again in order. Writes go round-robin to connected
 * sessions; with none connected they fail at once, as they would for an application using libpq.
 *
 * Before: the read-only check read a column `ro` from `SHOW transaction_read_only` (whose column is
 * `transaction_read_only`), so no host ever qualified, and one session queued every write.
 */
export function multiHostWriter(table: string, hosts: readonly Target[], creds: Credentials, sessions = 8): Writer {
  const slots: (pg.Client | undefined)[] = Array.from({ length: sessions }, () => undefined)
  const connecting = new Map<number, Promise<void>>()
  let closed = false
  let next = 0
  const drop = (slot: number, c: pg.Client): void => {
    if (slots[slot] === c) slots[slot] = undefined
    c.end().catch(() => {})
    reconnect(slot)
  }
  const tryHost = async (slot: number, h: Target): Promise<pg.Client | undefined> => {
    const c = new pg.Client({ ...creds, host: h.host, port: h.port, connectionTimeoutMillis: 1_000, query_timeout: 5_000 })
    c.on('error', () => drop(slot, c))
    try {
      await c.connect()
      const { rows } = await c.query<{ ro: string }>(`SELECT current_setting('transaction_read_only') AS ro`)
      if (rows[0]?.ro === 'off') return c
    } catch {
      // next host
    }
    c.end().catch(() => {})
    return undefined
  }
  function reconnect(slot: number): void {
    if (closed || slots[slot] !== undefined || connecting.has(slot)) return
    const run = (async () => {
      while (!closed && slots[slot] === undefined) {
        for (const h of hosts) {
          const c = await tryHost(slot, h)
          if (c === undefined) continue
          if (closed) c.end().catch(() => {})
          else slots[slot] = c
          break
        }
        if (slots[slot] === undefined) await new Promise((r) => setTimeout(r, 50))
      }
    })().finally(() => connecting.delete(slot))
    connecting.set(slot, run)
  }
  for (let i = 0; i < sessions; i++) reconnect(i)
  const pick = (): { slot: number; c: pg.Client } | undefined => {
    for (let k = 0; k < sessions; k++) {
      const slot = (next + k) % sessions
      const c = slots[slot]
      if (c !== undefined) {
        next = slot + 1
        return { slot, c }
      }
    }
    return undefined
  }
  return {
    label: 'libpq multi-host',
    ready: async () => {
      while (slots.some((c) => c === undefined) && !closed) await new Promise((r) => setTimeout(r, 50))
    },
    write: async (id) => {
      const picked = pick()
      if (picked === undefined) throw Object.assign(new Error('not connected'), { code: 'DISCONNECTED' })
      try {
        return ackPort(await picked.c.query(UPSERT_SQL(table), [id]))
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === undefined || code.startsWith('08') || code.startsWith('57P') || code === '25006') drop(picked.slot, picked.c)
        throw err
      }
    },
    close: async () => {
      closed = true
      await Promise.all(connecting.values())
      await Promise.all(slots.map((c) => c?.end().catch(() => {})))
    },
  }
}
