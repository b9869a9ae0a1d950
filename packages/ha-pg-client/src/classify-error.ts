import { HaPgError } from './errors.js'

/**
 * What a failed statement tells the retry logic.
 * - `outcome`: `never-ran` (provably had no effect: safe to retry), `unknown` (may have committed:
 *   retry only if idempotent), `failed` (the server ran and rejected it, or a caller error: never retry).
 * - `topology`: the error hints that the leader moved, so discovery refreshes at once.
 */
export interface ErrorClass {
  readonly outcome: 'never-ran' | 'unknown' | 'failed'
  readonly topology: boolean
  /** The SQLSTATE, errno or HaPgError code that decided it, or `'unknown'`. */
  readonly code: string
}

/** Socket errnos seen before a byte was sent: the statement never reached a server. */
const CONNECT_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAI_AGAIN'])
/** Socket errnos that can strike mid-statement: the outcome is unknown. */
const MIDFLIGHT_ERRNOS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_DESTROYED'])

/** SQLSTATEs that prove the statement did not run, and that the topology may have changed. */
const NEVER_RAN_SQLSTATES = new Set([
  '57P03', // cannot_connect_now: starting up / shutting down / in recovery during promotion
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
])
/** SQLSTATEs that end a session mid-statement: the outcome is unknown, and the topology may have changed. */
const UNKNOWN_SQLSTATES = new Set([
  '57P01', // admin_shutdown: Patroni stops / demotes the node
  '57P02', // crash_shutdown
  '08000', // connection_exception
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '08007', // transaction_resolution_unknown
  '08P01', // protocol_violation
])

/**
 * Refusals that retrying cannot fix: wrong credentials, a missing database, or a server at its
 * connection limit (`53300`: capacity, not a topology change). They never ran, but waiting out the
 * failover deadline on them only hides the problem (issue #11, major 9).
 */
function isConfigurationError(code: string): boolean {
  return code.startsWith('28') || code === '3D000' || code === '53300' // invalid_authorization_specification / invalid_password; invalid_catalog_name; too_many_connections
}

/** libpq's messages (fe-misc.c, fe-secure.c, fe-protocol3.c) for a connection lost while a statement was out. */
const LIBPQ_CONNECTION_LOST = /server closed the connection unexpectedly|could not receive data from server|could not send data to server|SSL SYSCALL error|SSL connection has been closed unexpectedly|lost synchronization with server/i

const TOPOLOGY_CODES: Record<string, ErrorClass['outcome']> = {
  HAPG_NOT_WRITABLE: 'never-ran',
  HAPG_STATEMENT_TIMEOUT: 'unknown',
  HAPG_OUTCOME_UNKNOWN: 'unknown',
}

/**
 * Classifies any error thrown by pg, pg-pool, a socket or this client. The full table is in the README
 * and pinned by a unit test. Errors raised while *connecting* never ran, whatever they are: the
 * caller passes `phase: 'connect'` for those.
 *
 * @example
 * ```ts
 * classifyError(Object.assign(new Error('x'), { code: '57P01' })) // { outcome: 'unknown', topology: true, code: '57P01' }
 * ```
 */
export function classifyError(err: unknown, phase: 'connect' | 'statement' = 'statement'): ErrorClass {
  const code = errorCode(err)
  if (err instanceof HaPgError) {
    const outcome = TOPOLOGY_CODES[err.code]
    if (outcome === undefined) return { outcome: 'failed', topology: false, code }
    // our own writability check timing out, before the caller's statement was sent (found under load:
    // an INSERT that never ran came back HAPG_OUTCOME_UNKNOWN)
    return { outcome: phase === 'connect' ? 'never-ran' : outcome, topology: true, code }
  }
  if (NEVER_RAN_SQLSTATES.has(code) || CONNECT_ERRNOS.has(code)) return { outcome: 'never-ran', topology: true, code }
  if (isConfigurationError(code)) return { outcome: 'failed', topology: false, code }
  // 25006 read_only_sql_transaction on a session already checked writable is the caller's own
  // (SET TRANSACTION READ ONLY, a read-only function): the client turns the server-side case, a
  // reported default_transaction_read_only = on, into HAPG_NOT_WRITABLE before it gets here.
  if (code === '25006' && phase === 'statement') return { outcome: 'failed', topology: false, code }
  if (phase === 'connect') return { outcome: 'never-ran', topology: true, code }
  if (UNKNOWN_SQLSTATES.has(code) || MIDFLIGHT_ERRNOS.has(code)) {
    return { outcome: 'unknown', topology: true, code }
  }
  if (code === 'unknown') {
    const message = err instanceof Error ? err.message : String(err)
    // pg refuses to send on a client that already broke: nothing was sent.
    if (/not queryable/i.test(message)) return { outcome: 'never-ran', topology: true, code: 'not-queryable' }
    // libpq (pg-native) refuses to send on a connection it already lost: nothing was sent.
    if (/^no connection to the server/i.test(message)) return { outcome: 'never-ran', topology: true, code: 'not-queryable' }
    // pg reports a socket dropped mid-statement with plain Errors that carry no code; so does libpq
    // (pg-native), in its own words (found through a kill -9 of the leader under pg-native's Client).
    if (/Connection terminated|Query read timeout/i.test(message) || LIBPQ_CONNECTION_LOST.test(message)) {
      return { outcome: 'unknown', topology: true, code: 'connection-lost' }
    }
  }
  return { outcome: 'failed', topology: false, code }
}

/**
 * A `25006` from a server that now reports `default_transaction_read_only = on` (or a standby) is the
 * server's doing, not the caller's: the statement did not run, retry elsewhere (`HAPG_NOT_WRITABLE`).
 * `client` is the session it came from, with what the server last reported (see member-pool.ts).
 */
export function readOnlyServer(err: unknown, client: object): HaPgError | undefined {
  if ((err as { code?: unknown } | null)?.code !== '25006') return undefined
  const c = client as { hotStandby?: boolean; defaultReadOnly?: boolean }
  if (c.hotStandby !== true && c.defaultReadOnly !== true) return undefined
  return new HaPgError('HAPG_NOT_WRITABLE', 'the server turned read-only (default_transaction_read_only or recovery)', { cause: err })
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code
  return 'unknown'
}
