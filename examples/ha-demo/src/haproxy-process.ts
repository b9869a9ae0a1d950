import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { portAccepts } from '@birthday-ha/local-cluster/wait'
import { HaDemoError } from './errors.js'
import { renderAppHaproxyConfig, type AppHaproxyOptions } from './haproxy-config.js'
import { isAlive, spawnRecorded, terminateRecorded, type ProcessRecord } from './process-record.js'
import { waitUntil } from './wait-until.js'

/** A running app-tier haproxy; see {@link startAppHaproxy}. */
export interface AppHaproxy extends AsyncDisposable {
  readonly record: ProcessRecord
  readonly port: number
  readonly configFile: string
  readonly socketPath: string
  readonly logFile: string
  close(): Promise<void>
}

/** The AppHaproxy handle of a recorded haproxy (e.g. from the demo's state file); `close()` stops it by PID. */
export function appHaproxyHandle(record: ProcessRecord, files: { port: number; configFile: string; socketPath: string; logFile: string }): AppHaproxy {
  let closed: Promise<void> | undefined
  const close = async (): Promise<void> => { closed ??= terminateRecorded(record, 5_000); await closed }
  return { record, ...files, close, [Symbol.asyncDispose]: close }
}

/**
 * Writes `<dir>/haproxy.cfg` ({@link renderAppHaproxyConfig}, runtime socket `<dir>/haproxy.sock`) and
 * runs Debian's haproxy on it in the foreground (`haproxy -db -f cfg`) as a detached child, log in
 * `<dir>/haproxy.log`. Resolves once it accepts connections; `close()` stops it by PID.
 *
 * @example
 * ```ts
 * await using lb = await startAppHaproxy({ dir: '/tmp/lb', port: 8000, servers: [{ name: 'app1', port: 8101 }] })
 * await setServerState(lb.socketPath, 'be_app', 'app1', 'drain')
 * ```
 */
export async function startAppHaproxy(options: Omit<AppHaproxyOptions, 'socketPath'> & { dir: string }): Promise<AppHaproxy> {
  await mkdir(options.dir, { recursive: true })
  const configFile = join(options.dir, 'haproxy.cfg')
  const socketPath = join(options.dir, 'haproxy.sock')
  const logFile = join(options.dir, 'haproxy.log')
  await writeFile(configFile, renderAppHaproxyConfig({ ...options, socketPath }), { mode: 0o600 })
  const record = await spawnRecorded('/usr/sbin/haproxy', ['-db', '-f', configFile], {
    logFile, env: { PATH: '/usr/sbin:/usr/bin:/bin' }, marker: configFile,
  })
  const proxy = appHaproxyHandle(record, { port: options.port, configFile, socketPath, logFile })
  try {
    await waitUntil(`haproxy to listen on ${options.port}`, async () => {
      if (!(await isAlive(record))) throw new HaDemoError('DEMO_PROCESS_EXITED', `haproxy exited; see ${logFile}`)
      return await portAccepts(options.port)
    }, { timeoutMs: 10_000, intervalMs: 50 })
  } catch (err) {
    await proxy.close()
    throw err
  }
  return proxy
}
