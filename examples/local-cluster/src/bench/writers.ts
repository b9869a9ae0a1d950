import pg from 'pg'
import { HaPgClient } from '@birthday-ha/ha-pg-client'
import { UPSERT_SQL, ackServer, type Writer } from './write-load.js'

export interface Target {
  readonly host: string
  readonly port: number
}
export interface Credentials {
  readonly user: string
  readonly password: string
  readonly database: string
}

/** (a) HaPgClient: upserts marked idempotent; its defaults except the deadline the baselines get too. */
export function haPgClientWriter(table: string, patroniUrls: string[], auth: { readonly username: string; readonly password: string } | undefined, creds: Credentials, failoverDeadlineMs: number): Writer & { client: HaPgClient } {
  const client = new HaPgClient({ patroniUrls, ...(auth === undefined ? {} : { patroniAuth: { ...auth } }), pg: { ...creds }, pool: { max: 20 }, failoverDeadlineMs })
  return {
    label: 'HaPgClient',
    client,
    write: async (id) => ackServer(await client.query(UPSERT_SQL(table), [id], { idempotent: true })),
    close: () => client.close(),
  }
}

/** (b) haproxy, (c) a pool pinned to the first leader: a plain pg.Pool to one address (the bench adds the retries). */
export function plainPoolWriter(label: string, table: string, target: Target, creds: Credentials): Writer {
  const pool = new pg.Pool({ ...creds, host: target.host, port: target.port, max: 20, connectionTimeoutMillis: 2_000, query_timeout: 5_000 })
  pool.on('error', () => {}) // idle clients die on failover; without a listener Node would crash
  return {
    label,
    write: async (id) => ackServer(await pool.query(UPSERT_SQL(table), [id])),
    close: () => pool.end(),
  }
}

/** A libpq conninfo value: single-quoted, with `\\` and `'` escaped. */
const quote = (value: string): string => `'${value.replace(/[\\']/g, '\\$&')}'`

/** How to install what {@link libpqWriter} needs (not a dependency: it compiles libpq bindings). */
export const PG_NATIVE_HINT = 'pg-native is not installed: run sh examples/local-cluster/scripts/ensure-pg-native.sh and start with NODE_PATH=/var/cache/birthday-ha-bench/pg-native/node_modules (npm run bench:failover does both)'

/**
 * (d) real libpq: pg's native client (pg-native over Debian's libpq) with one multi-host conninfo and
 * `target_session_attrs=read-write`, so libpq itself tries the hosts in order and keeps the first
 * writable one, on every new connection. `nativeConnectionString` hands the conninfo to libpq as it is
 * (pg's own config has no multi-host). A failed query's connection is destroyed by pg.Pool, so the
 * next one is chosen again by libpq.
 */
export function libpqWriter(table: string, hosts: readonly Target[], creds: Credentials): Writer {
  const native = pg.native
  if (native === null) throw new Error(PG_NATIVE_HINT)
  const conninfo = [
    `host=${hosts.map((h) => h.host).join(',')}`, `port=${hosts.map((h) => h.port).join(',')}`,
    `dbname=${quote(creds.database)}`, `user=${quote(creds.user)}`, `password=${quote(creds.password)}`,
    'target_session_attrs=read-write', 'connect_timeout=2',
  ].join(' ')
  // `host` only satisfies pg's DNS lookup before the conninfo replaces its own string.
  const config = { nativeConnectionString: conninfo, host: hosts[0]?.host, max: 20, connectionTimeoutMillis: 2_000, query_timeout: 5_000 }
  const pool = new native.Pool(config)
  pool.on('error', () => {})
  return {
    label: 'libpq (pg-native)',
    write: async (id) => ackServer(await pool.query(UPSERT_SQL(table), [id])),
    close: () => pool.end(),
  }
}
