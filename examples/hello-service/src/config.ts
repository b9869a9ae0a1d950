import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Where `npm start` keeps the embedded database: `.data/embedded-pg` at the repository root (git-ignored). */
export const defaultEmbeddedDir = fileURLToPath(new URL('../../../.data/embedded-pg', import.meta.url))

/**
 * The service's configuration, read from environment variables and validated
 * at start. A bad value is reported with the variable's name; main() exits 2.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface Config {
  readonly port: number
  readonly host: string
  readonly databaseUrl: string | undefined
  readonly patroni: PatroniConfig | undefined
  readonly logLevel: LogLevel
  readonly drainDelayMs: number
  readonly shutdownTimeoutMs: number
  readonly keepAliveTimeoutMs: number
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly bodyLimitBytes: number
  readonly dbPoolMax: number
  readonly dbDeadlineMs: number
  readonly startupTimeoutMs: number
  readonly leapDayRule: 'mar1' | 'feb28'
  readonly embeddedPgDir: string
  readonly embeddedPgPort: number
}

/** With PATRONI_URLS: the members' REST URLs and the app role's credentials (PGUSER, PGPASSWORD, PGDATABASE). */
export interface PatroniConfig {
  readonly urls: readonly string[]
  readonly user: string
  readonly password: string
  readonly database: string
  /** PATRONI_USERNAME / PATRONI_PASSWORD: sent only to a member that answers 401 asking for them. */
  readonly auth?: { readonly username: string; readonly password: string }
  /** PATRONI_CA_FILE, PATRONI_CERT_FILE, PATRONI_KEY_FILE, read at start; `key` is non-enumerable. */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer }
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string }

type Env = Readonly<Record<string, string | undefined>>

class ConfigIssue extends Error {}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigIssue(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`)
  }
  return Number(raw)
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigIssue(`${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(raw)})`)
  }
  return raw as T
}

function url(name: string, raw: string, protocols: readonly string[]): string {
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new ConfigIssue(`${name} must be a URL (${protocols.join(' or ')})`)
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigIssue(`${name} must use ${protocols.join(' or ')} (got ${parsed.protocol})`)
  }
  return raw
}

function databaseUrl(env: Env): string | undefined {
  const raw = env['DATABASE_URL']
  return raw === undefined || raw === '' ? undefined : url('DATABASE_URL', raw, ['postgres:', 'postgresql:'])
}

function required(env: Env, name: string, because: string): string {
  const value = env[name]
  if (value === undefined || value === '') throw new ConfigIssue(`${name} must be set ${because}`)
  return value
}

const TLS_FILES = [['ca', 'PATRONI_CA_FILE'], ['cert', 'PATRONI_CERT_FILE'], ['key', 'PATRONI_KEY_FILE']] as const

/** The TLS files named by PATRONI_*_FILE, read now (a file that goes away later changes nothing). */
function patroniTls(env: Env, urls: readonly string[], readFile: (path: string) => Buffer): PatroniConfig['tls'] {
  const given = TLS_FILES.filter(([, name]) => env[name])
  if (given.length === 0) return undefined
  if (!env['PATRONI_CERT_FILE'] !== !env['PATRONI_KEY_FILE']) throw new ConfigIssue('PATRONI_CERT_FILE and PATRONI_KEY_FILE go together: set both or neither')
  const plain = urls.find((item) => new URL(item).protocol === 'http:')
  if (plain !== undefined) throw new ConfigIssue(`${(given[0] as (typeof TLS_FILES)[number])[1]} is set but PATRONI_URLS has ${plain}: TLS needs https: URLs`)
  const tls = {}
  for (const [field, name] of given) {
    const path = env[name] as string
    let content: Buffer
    try {
      content = readFile(path)
    } catch (error) {
      throw new ConfigIssue(`${name}: cannot read ${path} (${String((error as NodeJS.ErrnoException).code)})`)
    }
    Object.defineProperty(tls, field, { value: content, enumerable: field !== 'key' })
  }
  return tls
}

function patroni(env: Env, readFile: (path: string) => Buffer): PatroniConfig | undefined {
  const raw = env['PATRONI_URLS']
  if (raw === undefined || raw === '') {
    const stray = TLS_FILES.find(([, name]) => env[name])
    if (stray !== undefined) throw new ConfigIssue(`${stray[1]} is set but PATRONI_URLS is not`)
    return undefined
  }
  const because = 'when PATRONI_URLS is set'
  const username = env['PATRONI_USERNAME']
  const urls = raw.split(',').map((item) => url('PATRONI_URLS', item.trim(), ['http:', 'https:']))
  const tls = patroniTls(env, urls, readFile)
  return {
    urls,
    user: required(env, 'PGUSER', because),
    password: required(env, 'PGPASSWORD', because),
    database: required(env, 'PGDATABASE', because),
    ...(username && { auth: { username, password: required(env, 'PATRONI_PASSWORD', 'when PATRONI_USERNAME is set') } }),
    ...(tls && { tls }),
  }
}

const HOST = /^[A-Za-z0-9.:-]+$/

/** Reads and validates the configuration (and reads the files it names). Never throws. */
export function loadConfig(env: Env, readFile: (path: string) => Buffer = readFileSync): ConfigResult {
  try {
    const host = env['HOST'] ?? '127.0.0.1'
    if (!HOST.test(host)) throw new ConfigIssue(`HOST must be a host name or an IP address (got ${JSON.stringify(host)})`)
    const config: Config = {
      port: integer(env, 'PORT', 8000, 0, 65_535),
      host,
      databaseUrl: databaseUrl(env),
      patroni: patroni(env, readFile),
      logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error', 'silent']),
      drainDelayMs: integer(env, 'DRAIN_DELAY_MS', 5_000, 0, 600_000),
      shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 30_000, 1, 600_000),
      keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 65_000, 1, 3_600_000),
      headersTimeoutMs: integer(env, 'HEADERS_TIMEOUT_MS', 10_000, 1, 600_000),
      requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 1, 600_000),
      bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 16_384, 2, 10_485_760),
      dbPoolMax: integer(env, 'DB_POOL_MAX', 10, 1, 1_000),
      dbDeadlineMs: integer(env, 'DB_DEADLINE_MS', 10_000, 100, 600_000),
      startupTimeoutMs: integer(env, 'STARTUP_TIMEOUT_MS', 30_000, 100, 3_600_000),
      leapDayRule: oneOf(env, 'LEAP_DAY_RULE', 'mar1', ['mar1', 'feb28']),
      embeddedPgDir: env['EMBEDDED_PG_DIR'] || defaultEmbeddedDir,
      embeddedPgPort: integer(env, 'EMBEDDED_PG_PORT', 54_329, 1, 65_535),
    }
    if (config.databaseUrl !== undefined && config.patroni !== undefined) {
      throw new ConfigIssue('DATABASE_URL and PATRONI_URLS are exclusive: set one of them')
    }
    if (config.dbDeadlineMs >= config.requestTimeoutMs) {
      throw new ConfigIssue(
        `DB_DEADLINE_MS (${config.dbDeadlineMs}) must be less than REQUEST_TIMEOUT_MS (${config.requestTimeoutMs}), so a request waiting out a failover gets a 503, not a timeout`,
      )
    }
    if (config.shutdownTimeoutMs <= config.drainDelayMs) {
      throw new ConfigIssue(
        `SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs}) must be greater than DRAIN_DELAY_MS (${config.drainDelayMs})`,
      )
    }
    return { ok: true, config }
  } catch (error) {
    if (error instanceof ConfigIssue) return { ok: false, message: error.message }
    throw error
  }
}
