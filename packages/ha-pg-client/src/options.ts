import type { Dispatcher } from 'undici'
import type pg from 'pg'
import { HaPgError } from './errors.js'

/** pg-pool options the client passes through to every pool it creates. */
export type PoolOptions = Pick<pg.PoolConfig, 'max' | 'min' | 'idleTimeoutMillis' | 'connectionTimeoutMillis' | 'maxUses' | 'maxLifetimeSeconds' | 'allowExitOnIdle' | 'application_name' | 'log'>

/** Connection options shared by every member; host and port are learned from Patroni. */
export type MemberConnectionOptions = Omit<pg.ClientConfig, 'host' | 'port' | 'connectionString'>

/** A structured logger: `logger.warn({ msg, … })`. Defaults to silence. */
export interface HaPgLogger {
  info(entry: Record<string, unknown>): void
  warn(entry: Record<string, unknown>): void
}

/** Static mode: one server, no Patroni. Same API; no lease, no failover. */
export interface StaticModeOptions {
  /** The server, as a connection string; or give `pg`, or both (pg merges them: the string's fields win). */
  readonly connectionString?: string
  /** A full pg client config (host, port, user, password, ssl…), as `new pg.Pool(config)` takes it. */
  readonly pg?: pg.ClientConfig
  readonly pool?: PoolOptions
  readonly Pool?: typeof pg.Pool
  /** A custom pg Client class (pg-native's…), as pg-pool's `Client` option. */
  readonly Client?: unknown
  readonly failoverDeadlineMs?: number
  readonly queryTimeoutMs?: number
  readonly now?: () => number
  readonly random?: () => number
  readonly logger?: HaPgLogger
}

/** TLS options of the Patroni REST client; `key` and `passphrase` are kept non-enumerable. */
export interface PatroniTlsOptions {
  /** CA certificate(s) (PEM) that signed the members' REST certificates; default Node's root store. */
  readonly ca?: string | Buffer
  /** Client certificate (PEM), with `key`: required by `restapi.verify_client: required`. */
  readonly cert?: string | Buffer
  readonly key?: string | Buffer
  /** Decrypts an encrypted `key`. */
  readonly passphrase?: string
  /** The name the members' certificates carry, when the URLs name them otherwise (an IP address). */
  readonly servername?: string
}

/** Patroni mode: leader discovery, lease, per-epoch pools, safe retries. */
export interface PatroniModeOptions {
  readonly patroniUrls: readonly string[]
  /** Basic credentials, sent to a member only after it answered 401 with a Basic challenge. */
  readonly patroniAuth?: { readonly username: string; readonly password: string }
  /** TLS for `https:` patroniUrls: the CA to trust and a client certificate (Patroni's `restapi.verify_client`). */
  readonly patroniTls?: PatroniTlsOptions
  readonly dispatcher?: Dispatcher
  readonly pg: MemberConnectionOptions
  readonly pool?: PoolOptions
  readonly Pool?: typeof pg.Pool
  /** A custom pg Client class (pg-native's…), as pg-pool's `Client` option. */
  readonly Client?: unknown
  readonly leaseMs?: number
  readonly failoverDeadlineMs?: number
  /** Default per-call timeout of statements (see QueryOptions.timeoutMs). Default: none. */
  readonly queryTimeoutMs?: number
  readonly discoveryIntervalMs?: number
  readonly restTimeoutMs?: number
  readonly now?: () => number
  readonly random?: () => number
  readonly logger?: HaPgLogger
}

/** Options of {@link HaPgClient}: static mode (`connectionString`) or Patroni mode (`patroniUrls`). */
export type HaPgClientOptions = StaticModeOptions | PatroniModeOptions

const NUMERIC = ['leaseMs', 'failoverDeadlineMs', 'discoveryIntervalMs', 'restTimeoutMs', 'queryTimeoutMs'] as const

/** Throws `HAPG_INVALID_OPTIONS` (a programmer error) and returns a copy whose secrets are non-enumerable. */
export function validateOptions(input: HaPgClientOptions): HaPgClientOptions {
  const fail = (why: string): never => {
    throw new HaPgError('HAPG_INVALID_OPTIONS', `invalid HaPgClient options: ${why}`)
  }
  if (typeof input !== 'object' || input === null) return fail('expected an object')
  const hasPatroni = 'patroniUrls' in input
  const hasStatic = !hasPatroni && (input.connectionString !== undefined || input.pg !== undefined)
  if (hasStatic === hasPatroni || (hasPatroni && 'connectionString' in input)) return fail('give exactly one of connectionString (or pg alone) or patroniUrls')
  for (const key of NUMERIC) {
    const value = (input as Partial<Record<(typeof NUMERIC)[number], unknown>>)[key]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) fail(`${key} must be a positive number`)
  }
  if (!hasPatroni) {
    if (input.connectionString !== undefined && (typeof input.connectionString !== 'string' || input.connectionString === '')) fail('connectionString must be a non-empty string')
    if (input.pg !== undefined && (typeof input.pg !== 'object' || input.pg === null)) fail('pg must be an object (pg client options)')
    const copy = { ...input }
    if (input.connectionString !== undefined) Object.defineProperty(copy, 'connectionString', { value: input.connectionString, enumerable: false })
    if (input.pg !== undefined) Object.defineProperty(copy, 'pg', { value: hidePassword(input.pg), enumerable: true })
    return copy
  }
  const urls = input.patroniUrls
  if (!Array.isArray(urls) || urls.length === 0) return fail('patroniUrls must be a non-empty array')
  for (const url of urls) if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) fail(`not an http(s) URL: ${String(url)}`)
  if (typeof input.pg !== 'object' || input.pg === null) fail('pg (connection options) is required in Patroni mode')
  if (input.leaseMs !== undefined && input.discoveryIntervalMs !== undefined && input.discoveryIntervalMs >= input.leaseMs) {
    fail('discoveryIntervalMs must be shorter than leaseMs, or the lease lapses between renewals')
  }
  if (input.patroniTls !== undefined) {
    checkTls(input.patroniTls, urls, fail)
    if (input.dispatcher !== undefined) fail('patroniTls has no effect with your own dispatcher: give it the TLS options (its connect options)')
  }
  const copy = { ...input, pg: hidePassword(input.pg), ...(input.patroniTls !== undefined && { patroniTls: hideTlsSecrets(input.patroniTls) }) }
  if (input.patroniAuth !== undefined) {
    const auth = { username: input.patroniAuth.username }
    Object.defineProperty(auth, 'password', { value: input.patroniAuth.password, enumerable: false })
    Object.defineProperty(copy, 'patroniAuth', { value: auth, enumerable: true })
  }
  return copy
}

const PEM_FIELDS = ['ca', 'cert', 'key'] as const

/** A TLS setting that would silently do nothing (on an `http:` URL, a lone cert or key) is refused. */
function checkTls(tls: PatroniTlsOptions, urls: readonly string[], fail: (why: string) => never): void {
  if (typeof tls !== 'object' || tls === null) fail('patroniTls must be an object')
  for (const field of PEM_FIELDS) {
    const value = tls[field]
    if (value !== undefined && typeof value !== 'string' && !Buffer.isBuffer(value)) fail(`patroniTls.${field} must be a string or a Buffer (PEM)`)
  }
  for (const field of ['passphrase', 'servername'] as const) {
    if (tls[field] !== undefined && typeof tls[field] !== 'string') fail(`patroniTls.${field} must be a string`)
  }
  if ((tls.cert === undefined) !== (tls.key === undefined)) fail('patroniTls.cert and patroniTls.key go together: give both or neither')
  const plain = urls.find((url) => new URL(url).protocol === 'http:')
  if (plain !== undefined) fail(`patroniTls is set but ${plain} is http: (TLS would not be used); use https: URLs`)
}

/** A copy of the TLS options whose key and passphrase are non-enumerable (out of logs, JSON and inspect). */
function hideTlsSecrets(tls: PatroniTlsOptions): PatroniTlsOptions {
  const { ca, cert, servername } = tls
  const copy = { ...(ca !== undefined && { ca }), ...(cert !== undefined && { cert }), ...(servername !== undefined && { servername }) }
  for (const field of ['key', 'passphrase'] as const) {
    if (tls[field] !== undefined) Object.defineProperty(copy, field, { value: tls[field], enumerable: false })
  }
  return copy
}

/** A copy of pg client options whose password (if any) is non-enumerable, as pg-pool keeps it. */
function hidePassword<T extends { password?: unknown }>(config: T): T {
  const copy = { ...config }
  if ('password' in config) Object.defineProperty(copy, 'password', { value: config.password, enumerable: false })
  return copy
}
