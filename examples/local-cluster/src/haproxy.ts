import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LocalClusterError } from './errors.js'
import { isAlive, terminate } from './processes.js'
import { portAccepts, waitFor } from './wait.js'

/** One PostgreSQL backend behind haproxy, health-checked through its Patroni REST port. */
export interface HaproxyBackend {
  name: string
  host: string
  port: number
  /** Patroni REST port of the same node. */
  checkPort: number
}

/** Options of {@link startHaproxy}. */
export interface HaproxyOptions {
  /** Port to listen on, on 127.0.0.1. */
  port: number
  backends: HaproxyBackend[]
  /** `patroni-primary` routes to the node answering `OPTIONS /primary` 200; `patroni-replica` to `/replica`. */
  mode: 'patroni-primary' | 'patroni-replica'
  /**
   * Health check timing. Default Patroni's recommendation: inter 3 s, fall 3, rise 2. `fastInterMs`
   * (haproxy's `fastinter`) is the interval while a server is going up or down; unset, haproxy uses `inter`.
   */
  check?: { interMs?: number; fastInterMs?: number; fall?: number; rise?: number }
  /** Directory for the config and log. Default: a fresh temp dir, removed by `close()`. */
  dir?: string
}

/** A running haproxy; see {@link startHaproxy}. */
export interface Haproxy extends AsyncDisposable {
  readonly pid: number
  readonly port: number
  readonly configFile: string
  close(): Promise<void>
}

/** Renders the haproxy.cfg Patroni's docs recommend (TCP mode, `option httpchk OPTIONS /primary`). */
export function renderHaproxyConfig(options: HaproxyOptions): string {
  const inter = options.check?.interMs ?? 3000
  const fall = options.check?.fall ?? 3
  const rise = options.check?.rise ?? 2
  const fastInter = options.check?.fastInterMs === undefined ? '' : ` fastinter ${options.check.fastInterMs}ms`
  const path = options.mode === 'patroni-primary' ? '/primary' : '/replica'
  return [
    'global',
    '    maxconn 200',
    '',
    'defaults',
    '    mode tcp',
    '    retries 2',
    '    timeout client 30m',
    '    timeout connect 4s',
    '    timeout server 30m',
    '    timeout check 5s',
    '',
    `listen ${options.mode}`,
    `    bind 127.0.0.1:${options.port}`,
    // OPTIONS, not GET: GET checks make Patroni 3.0.2 log ConnectionResetError tracebacks (notes #10).
    `    option httpchk OPTIONS ${path}`,
    '    http-check expect status 200',
    `    default-server inter ${inter}ms${fastInter} fall ${fall} rise ${rise} on-marked-down shutdown-sessions`,
    ...options.backends.map((b) => `    server ${b.name} ${b.host}:${b.port} maxconn 100 check port ${b.checkPort}`),
    '',
  ].join('\n')
}

/**
 * Runs Debian's haproxy in the foreground (`-db`) on 127.0.0.1 in front of the Patroni nodes, with
 * the config {@link renderHaproxyConfig} renders. Resolves once it accepts connections. `close()`
 * stops it by PID (SIGTERM, then SIGKILL) and removes its temp dir; it is idempotent.
 *
 * @example
 * ```ts
 * await using proxy = await startHaproxy({ port: 25130, mode: 'patroni-primary',
 *   backends: [{ name: 'pg1', host: '127.0.0.1', port: 25110, checkPort: 25120 }] })
 * // connect to 127.0.0.1:25130 to reach the primary
 * ```
 */
export async function startHaproxy(options: HaproxyOptions): Promise<Haproxy> {
  if (options.backends.length === 0) throw new LocalClusterError('LC_BAD_OPTIONS', 'startHaproxy needs at least one backend')
  const ownDir = options.dir === undefined
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'haproxy-')))
  const configFile = join(dir, 'haproxy.cfg')
  const logFile = join(dir, 'haproxy.log')
  await writeFile(configFile, renderHaproxyConfig(options), { mode: 0o600 })
  const fd = openSync(logFile, 'a', 0o600)
  const child = spawn('/usr/sbin/haproxy', ['-db', '-f', configFile], { stdio: ['ignore', fd, fd], env: { PATH: '/usr/sbin:/usr/bin' } })
  closeSync(fd)
  child.unref()
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number))
    /* c8 ignore next */ // /usr/sbin/haproxy exists: ensureSystemPackages installs it
    child.once('error', reject)
  })
  const record = { pid, marker: configFile }
  let closed: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closed ??= (async () => {
      await terminate(record, 5_000)
      if (ownDir) await rm(dir, { recursive: true, force: true })
    })()
    await closed
  }
  try {
    await waitFor(`haproxy to listen on ${options.port}`, async () => {
      if (!(await isAlive(record))) throw new LocalClusterError('LC_PROCESS_EXITED', `haproxy exited; see ${logFile}`)
      return await portAccepts(options.port)
    }, { timeoutMs: 10_000, intervalMs: 50 })
  } catch (err) {
    await close()
    throw err
  }
  return { pid, port: options.port, configFile, close, [Symbol.asyncDispose]: close }
}
