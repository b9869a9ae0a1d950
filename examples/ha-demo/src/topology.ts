import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { attachCluster, ensureSystemPackages, startCluster, type LocalCluster } from '@birthday-ha/local-cluster'
import { startAppInstance, stopAppInstance, type AppInstance } from './app-instance.js'
import { HaDemoError } from './errors.js'
import { checkTiming, drainDelayFor } from './haproxy-config.js'
import { appHaproxyHandle, startAppHaproxy, type AppHaproxy } from './haproxy-process.js'
import type { ProcessRecord } from './process-record.js'

/** Where demo and test runs keep their state: `<repo>/.data/ha-demo/<name>`. */
export const DATA_ROOT = fileURLToPath(new URL('../../../.data/ha-demo', import.meta.url))

/** Options of {@link startTopology}. */
export interface TopologyOptions {
  /** Cluster name and state dir name. */
  readonly name: string
  /** First port of the Patroni cluster (it uses 30 from there). */
  readonly clusterBasePort: number
  /** The load balancer's port. */
  readonly haproxyPort: number
  /** App instance `i` listens on `appBasePort + i`. */
  readonly appBasePort: number
  /** How many hello-service instances (2 or more to survive a restart). */
  readonly apps: number
  readonly etcdMembers: 1 | 3
  /** Progress lines (no secrets). */
  readonly log: (line: string) => void
}

/**
 * The service's timeouts, fitted to the fast Patroni profile (ttl 10, loop_wait 1, retry_timeout 4:
 * kill -9 promotion ~10 s): a request waits up to DB_DEADLINE_MS for a leader, which covers a
 * promotion, then gets a 503; REQUEST_TIMEOUT_MS > DB_DEADLINE_MS (the service enforces it),
 * haproxy's `timeout server` and the load generator's timeout above that again.
 */
export const TIMEOUTS = { dbDeadlineMs: 15_000, requestTimeoutMs: 20_000, shutdownTimeoutMs: 25_000, haproxyServerMs: 25_000, clientMs: 27_000 } as const

/** What the state file records, so another process (`down`, `status`, `roll`) can act on it by PID. */
export interface TopologyState {
  readonly version: 1
  readonly name: string
  readonly clusterBasePort: number
  readonly haproxy: { readonly record: ProcessRecord; readonly port: number; readonly configFile: string; readonly socketPath: string; readonly logFile: string }
  apps: AppInstance[]
}

/** A running demo topology: the Patroni cluster, the app instances and haproxy in front. */
export interface Topology extends AsyncDisposable {
  readonly dir: string
  readonly url: string
  readonly cluster: LocalCluster
  readonly haproxy: AppHaproxy
  readonly state: TopologyState
  /** Records the state (after an instance was replaced). */
  save(): Promise<void>
  /** Stops haproxy, the instances (SIGTERM) and the cluster. Idempotent. */
  close(): Promise<void>
}

const stateFile = (dir: string): string => join(dir, 'state.json')

async function writeStateFile(dir: string, state: TopologyState): Promise<void> {
  await writeFile(`${stateFile(dir)}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  await rename(`${stateFile(dir)}.tmp`, stateFile(dir))
}

function makeTopology(dir: string, cluster: LocalCluster, haproxy: AppHaproxy, state: TopologyState): Topology {
  let closed: Promise<void> | undefined
  const close = async (): Promise<void> => {
    closed ??= (async () => {
      await haproxy.close()
      await Promise.all(state.apps.map(async (app) => await stopAppInstance(app)))
      await cluster.close()
      await rm(stateFile(dir), { force: true })
    })()
    await closed
  }
  return { dir, url: `http://127.0.0.1:${haproxy.port}`, cluster, haproxy, state,
    save: async () => await writeStateFile(dir, state), close, [Symbol.asyncDispose]: close }
}

/** The environment of app instances of `cluster`: its PATRONI_URLS and app credentials, and the drain/timeout settings. */
export function serviceEnv(cluster: LocalCluster): Record<string, string> {
  return {
    ...cluster.env(),
    LOG_LEVEL: 'warn',
    DRAIN_DELAY_MS: String(drainDelayFor(checkTiming({}))),
    SHUTDOWN_TIMEOUT_MS: String(TIMEOUTS.shutdownTimeoutMs),
    DB_DEADLINE_MS: String(TIMEOUTS.dbDeadlineMs),
    REQUEST_TIMEOUT_MS: String(TIMEOUTS.requestTimeoutMs),
    DB_POOL_MAX: '10',
  }
}

/**
 * Starts the local replica of the production topology: the Patroni cluster (synchronous_mode on),
 * `apps` hello-service instances using ha-pg-client, and haproxy in front (see renderAppHaproxyConfig).
 * Records PIDs and ports in `<DATA_ROOT>/<name>/state.json`.
 *
 * @example
 * ```ts
 * await using topo = await startTopology({ name: 'demo', clusterBasePort: 27000, haproxyPort: 8000, appBasePort: 8101, apps: 2, etcdMembers: 3, log: console.log })
 * console.log(topo.url)
 * ```
 */
export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const log = options.log
  const count = options.apps
  if (!Number.isInteger(count) || count < 1) throw new HaDemoError('DEMO_BAD_OPTIONS', `apps must be a positive integer, got ${count}`)
  await ensureSystemPackages()
  const dir = join(DATA_ROOT, options.name)
  await mkdir(dir, { recursive: true })
  const cluster = await startCluster({ name: options.name, basePort: options.clusterBasePort, etcdMembers: options.etcdMembers,
    timing: 'fast', synchronousMode: true, log })
  const apps: AppInstance[] = []
  try {
    const env = serviceEnv(cluster)
    for (let i = 0; i < count; i++) {
      const spec = { name: `app${i + 1}`, port: options.appBasePort + i, env, logFile: join(dir, `app${i + 1}.log`) }
      apps.push(await startAppInstance(spec))
      log(`started ${spec.name} (pid ${apps[i]?.record.pid}, http://127.0.0.1:${spec.port})`)
    }
    const haproxy = await startAppHaproxy({ dir, port: options.haproxyPort, serverTimeoutMs: TIMEOUTS.haproxyServerMs,
      servers: apps.map((a) => ({ name: a.spec.name, port: a.spec.port })) })
    log(`started haproxy (pid ${haproxy.record.pid}, http://127.0.0.1:${haproxy.port})`)
    const { record, port, configFile, socketPath, logFile } = haproxy
    const state: TopologyState = { version: 1, name: options.name, clusterBasePort: options.clusterBasePort,
      haproxy: { record, port, configFile, socketPath, logFile }, apps }
    const topology = makeTopology(dir, cluster, haproxy, state)
    await topology.save()
    return topology
  /* c8 ignore start */ // clean-up after an instance or haproxy failed to start on a fresh cluster; each failure itself is tested in app-instance.ts
  } catch (err) {
    await Promise.all(apps.map(async (app) => await stopAppInstance(app)))
    await cluster.close()
    throw err
  }
  /* c8 ignore stop */
}

/** Re-attaches to a topology started by another process, from its state file; throws `DEMO_NO_STATE` when there is none. */
export async function attachTopology(name: string): Promise<Topology> {
  const dir = join(DATA_ROOT, name)
  let state: TopologyState
  try {
    state = JSON.parse(await readFile(stateFile(dir), 'utf8')) as TopologyState
  } catch (err) {
    throw new HaDemoError('DEMO_NO_STATE', `no demo running under ${dir}; start one with: npm run demo:ha`, { cause: err })
  }
  const cluster = await attachCluster({ name })
  const { record, ...files } = state.haproxy
  return makeTopology(dir, cluster, appHaproxyHandle(record, files), state)
}
