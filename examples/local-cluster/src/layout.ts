import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PATRONI_TIMING_PROFILES, type PatroniTiming } from '@birthday-ha/provisioner/render'
import { LocalClusterError } from './errors.js'
import { effectiveTiming, isPatroniRelease, type PatroniRelease } from './patroni-release.js'
import type { RestTlsFiles } from './rest-tls.js'

/** Options of `startCluster` / `attachCluster`. */
export interface ClusterOptions {
  /** Patroni scope and the data dir's name. Default `birthday`. */
  name?: string
  /** First port of the 30 ports the cluster uses (see README). Default 25000. */
  basePort?: number
  /** Default `<repo>/.data/local-cluster/<name>`. */
  dataDir?: string
  /** Default 3. */
  etcdMembers?: 1 | 3
  /**
   * `fast` = 10/1/4, `production` = 30/10/10, or explicit seconds. Default `fast`. With `patroni: '4'`
   * values below Patroni 4's minimums are raised to them (ttl 20, loop_wait 1, retry_timeout 3), as
   * Patroni 4 itself would: `fast` runs as 20/1/4.
   */
  timing?: 'fast' | 'production' | PatroniTiming
  /**
   * Which Patroni runs: `'3'` is Debian 12's 3.0.2 (`/usr/bin/patroni`); `'4'` is Debian 13's 4.0.7,
   * fetched once into `/var/cache/birthday-ha-patroni4` (see `ensurePatroni4`). Default `'3'`.
   */
  patroni?: PatroniRelease
  /** Patroni `synchronous_mode`. Default true. */
  synchronousMode?: boolean
  /** Adds a 4th node tagged `nofailover` (the cross-region replica's stand-in). */
  drReplica?: boolean
  /**
   * HTTPS for every member's REST API with `verify_client: required`: the handshake itself wants a
   * client certificate, so the harness's own calls send `certFile` too (see {@link RestTlsFiles}).
   */
  restTls?: RestTlsFiles
  /** Progress lines (no secrets). Default: silent. */
  log?: (line: string) => void
}

/** One etcd member's ports and paths. */
export interface EtcdLayout {
  readonly index: number
  readonly name: string
  readonly clientPort: number
  readonly peerPort: number
  readonly dir: string
  readonly configFile: string
  readonly logFile: string
}

/** One Patroni node's ports and paths. */
export interface NodeLayout {
  readonly name: string
  readonly pgPort: number
  readonly restPort: number
  /** REST base URL: `http://127.0.0.1:<restPort>`, or `https://` with `restTls`. */
  readonly apiUrl: string
  readonly dr: boolean
  readonly dir: string
  readonly dataDir: string
  readonly socketDir: string
  readonly logDir: string
  readonly configFile: string
  readonly postBootstrapSqlFile: string
  readonly pgpassFile: string
  readonly logFile: string
}

/** Options resolved to ports and paths. */
export interface ClusterLayout {
  readonly name: string
  readonly basePort: number
  readonly dataDir: string
  readonly stateFile: string
  readonly host: '127.0.0.1'
  readonly patroni: PatroniRelease
  /** The timing Patroni runs with (Patroni 4's minimums applied). */
  readonly timing: PatroniTiming
  readonly synchronousMode: boolean
  readonly restTls?: RestTlsFiles
  readonly etcd: readonly EtcdLayout[]
  readonly nodes: readonly NodeLayout[]
}

/** Ports used from `basePort`: etcd 0-5, PostgreSQL 10-13, Patroni REST 20-23; 30+ free for callers. */
export const PORT_SPAN = 30

const repoRoot = resolve(fileURLToPath(new URL('../../..', import.meta.url)))

const bad = (message: string): LocalClusterError => new LocalClusterError('LC_BAD_OPTIONS', message)

function resolveTiming(timing: ClusterOptions['timing']): PatroniTiming {
  if (timing === undefined || timing === 'fast') return PATRONI_TIMING_PROFILES.fast
  if (timing === 'production') return PATRONI_TIMING_PROFILES.production
  const valid = typeof timing === 'object' &&
    [timing.ttl, timing.loop_wait, timing.retry_timeout].every((n) => Number.isInteger(n) && n > 0) &&
    timing.loop_wait + 2 * timing.retry_timeout <= timing.ttl
  if (!valid) {
    throw bad(`timing must be fast, production or positive integers {ttl, loop_wait, retry_timeout} with loop_wait + 2*retry_timeout <= ttl`)
  }
  return { ttl: timing.ttl, loop_wait: timing.loop_wait, retry_timeout: timing.retry_timeout }
}

/**
 * Resolves options to the cluster's ports and paths. Throws `LC_BAD_OPTIONS` on bad input.
 * Node `i` (pg1..pg3, then pg-dr) gets PostgreSQL `basePort+10+i` and REST `basePort+20+i`;
 * etcd member `i` gets client `basePort+2i` and peer `basePort+2i+1`.
 */
export function resolveLayout(options: ClusterOptions = {}): ClusterLayout {
  const name = options.name ?? 'birthday'
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(name)) throw bad(`name must match [a-z][a-z0-9-]{0,30}, got ${JSON.stringify(name)}`)
  const basePort = options.basePort ?? 25000
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort + PORT_SPAN > 65535) {
    throw bad(`basePort must be an integer in 1024-${65535 - PORT_SPAN}, got ${basePort}`)
  }
  const etcdMembers = options.etcdMembers ?? 3
  if (etcdMembers !== 1 && etcdMembers !== 3) throw bad(`etcdMembers must be 1 or 3, got ${String(etcdMembers)}`)
  const dataDir = resolve(options.dataDir ?? join(repoRoot, '.data', 'local-cluster', name))
  if (!/^\/[A-Za-z0-9_./@+-]*$/.test(dataDir)) throw bad(`dataDir must be a path of [A-Za-z0-9_./@+-], got ${dataDir}`)
  const etcd = Array.from({ length: etcdMembers }, (_, index): EtcdLayout => {
    const dir = join(dataDir, 'etcd', `etcd${index}`)
    return {
      index,
      name: `etcd${index}`,
      clientPort: basePort + 2 * index,
      peerPort: basePort + 2 * index + 1,
      dir,
      configFile: join(dir, 'etcd.yml'),
      logFile: join(dir, 'etcd.log'),
    }
  })
  const restTls = options.restTls
  if (restTls !== undefined && ![restTls.caFile, restTls.certFile, restTls.keyFile].every((file) => typeof file === 'string' && file.startsWith('/'))) {
    throw bad('restTls needs absolute caFile, certFile and keyFile paths')
  }
  const patroni = options.patroni ?? '3'
  if (!isPatroniRelease(patroni)) throw bad(`patroni must be '3' or '4', got ${JSON.stringify(patroni)}`)
  const nodeNames = ['pg1', 'pg2', 'pg3', ...(options.drReplica === true ? ['pg-dr'] : [])]
  const nodes = nodeNames.map((nodeName, i): NodeLayout => {
    const dir = join(dataDir, 'nodes', nodeName)
    return {
      name: nodeName,
      pgPort: basePort + 10 + i,
      restPort: basePort + 20 + i,
      apiUrl: `${restTls === undefined ? 'http' : 'https'}://127.0.0.1:${basePort + 20 + i}`,
      dr: nodeName === 'pg-dr',
      dir,
      dataDir: join(dir, 'data'),
      socketDir: join(dir, 'run'),
      logDir: join(dir, 'log'),
      configFile: join(dir, 'patroni.yml'),
      postBootstrapSqlFile: join(dir, 'post-bootstrap.sql'),
      pgpassFile: join(dir, 'pgpass'),
      logFile: join(dir, 'patroni.log'),
    }
  })
  return {
    name,
    basePort,
    dataDir,
    stateFile: join(dataDir, 'state.json'),
    host: '127.0.0.1',
    patroni,
    timing: effectiveTiming(patroni, resolveTiming(options.timing)),
    synchronousMode: options.synchronousMode ?? true,
    ...(restTls !== undefined && { restTls: { caFile: restTls.caFile, certFile: restTls.certFile, keyFile: restTls.keyFile } }),
    etcd,
    nodes,
  }
}
