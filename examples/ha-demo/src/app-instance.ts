import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { HaDemoError } from './errors.js'
import { httpGet } from './http-get.js'
import { isAlive, signalRecorded, spawnRecorded, terminateRecorded, waitForExit, type ProcessRecord } from './process-record.js'
import { waitUntil } from './wait-until.js'

/** The built hello-service entry point. */
export const HELLO_MAIN = fileURLToPath(new URL('../../hello-service/dist/main.js', import.meta.url))

/** What one hello-service instance runs with. */
export interface AppInstanceSpec {
  readonly name: string
  readonly port: number
  /** The service's environment (PATRONI_URLS, PG*, DRAIN_DELAY_MS…); PORT, HOST and PATH are added. */
  readonly env: Readonly<Record<string, string>>
  /** Its stdout/stderr, appended; the path also marks its command line, so a reused PID is never signalled. */
  readonly logFile: string
}

/** A running instance, as recorded in the demo's state. */
export interface AppInstance {
  readonly spec: AppInstanceSpec
  readonly record: ProcessRecord
}

const url = (spec: AppInstanceSpec, path: string): string => `http://127.0.0.1:${spec.port}${path}`

async function logTail(file: string): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-5).join('\n')
}

/**
 * Extra node flags for the instances, from `HA_DEMO_NODE_ARGS` (space-separated), for diagnostics only,
 * e.g. `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=/tmp/snaps` (the soak's heap probe) or `--trace-gc`.
 */
export function nodeArgsFrom(env: NodeJS.ProcessEnv): string[] {
  return (env['HA_DEMO_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '')
}

/** Starts `node hello-service/dist/main.js` as a detached child and waits until its `/readyz` answers 200. */
export async function startAppInstance(spec: AppInstanceSpec, readyTimeoutMs = 60_000): Promise<AppInstance> {
  const record = await spawnRecorded(process.execPath, [...nodeArgsFrom(process.env), HELLO_MAIN, `--ha-demo-log=${spec.logFile}`], {
    logFile: spec.logFile,
    marker: spec.logFile,
    env: { ...spec.env, PATH: '/usr/local/bin:/usr/bin:/bin', PORT: String(spec.port), HOST: '127.0.0.1' },
  })
  const instance = { spec, record }
  try {
    await waitUntil(`${spec.name} /readyz on port ${spec.port}`, async () => {
      if (!(await isAlive(record))) {
        throw new HaDemoError('DEMO_PROCESS_EXITED', `${spec.name} exited; see ${spec.logFile}:\n${await logTail(spec.logFile)}`)
      }
      return (await httpGet(url(spec, '/readyz'))).status === 200
    }, { timeoutMs: readyTimeoutMs, intervalMs: 100 })
  } catch (err) {
    await terminateRecorded(record, 5_000)
    throw err
  }
  return instance
}

/** SIGTERM (the service drains: readiness 503, drain delay, close, finish in-flight, exit 0) and waits for the exit. */
export async function stopAppInstance(instance: AppInstance, graceMs = 30_000): Promise<void> {
  await terminateRecorded(instance.record, graceMs)
}

/** SIGKILL: no drain; requests in flight on it are cut. */
export async function killAppInstance(instance: AppInstance): Promise<void> {
  if (await signalRecorded(instance.record, 'SIGKILL')) await waitForExit(instance.record, 5_000)
}

/** Whether the instance's process still runs. */
export async function appInstanceAlive(instance: AppInstance): Promise<boolean> {
  return await isAlive(instance.record)
}
