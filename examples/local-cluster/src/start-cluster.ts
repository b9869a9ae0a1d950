import { chmod, mkdir, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { Cluster, type LocalCluster } from './cluster.js'
import { LocalClusterError } from './errors.js'
import { resolveLayout, type ClusterLayout, type ClusterOptions } from './layout.js'
import { patroniRecord, spawnEtcd, spawnPatroni, stopEtcdMembers, waitEtcdHealthy } from './node-processes.js'
import { readPostmasterPid, terminate } from './processes.js'
import { ensurePatroni4 } from './patroni4-install.js'
import { PATRONI4_DIR } from './patroni-release.js'
import { readRestTls } from './rest-tls.js'
import { generateCredentials, readState, writeState, type ClusterState } from './state-file.js'
import { ensureSystemPackages } from './system-packages.js'
import { postgresUser, writeEtcdConfig, writeNodeConfig } from './write-configs.js'

const silent = (): void => {}

/** Throws `LC_BAD_OPTIONS` naming the first port of the layout that something already listens on. */
async function assertPortsFree(layout: ClusterLayout): Promise<void> {
  const ports = [...layout.etcd.flatMap((m) => [m.clientPort, m.peerPort]), ...layout.nodes.flatMap((n) => [n.pgPort, n.restPort])]
  for (const port of ports) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer()
      server.once('error', () => reject(new LocalClusterError('LC_BAD_OPTIONS',
        `port ${port} on 127.0.0.1 is in use; pick another --base-port (a cluster uses ${layout.basePort}-${layout.basePort + 29})`)))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
    })
  }
}

/**
 * Stops whatever a previous (crashed or still running) cluster in this data dir left: the
 * recorded Patroni and etcd PIDs and every node's postmaster, each only if it still runs and is
 * ours (its command line names this data dir's files), then wipes the data dir.
 */
async function cleanStale(layout: ClusterLayout, log: (line: string) => void): Promise<void> {
  const entries = await readdir(layout.dataDir).catch(() => undefined)
  if (entries === undefined) return
  const state = await readState(layout).catch(() => undefined)
  log(`cleaning up a previous cluster in ${layout.dataDir}`)
  const staleLayout = state === undefined ? layout : resolveLayout({
    name: layout.name, dataDir: layout.dataDir, basePort: state.basePort, etcdMembers: state.etcdMembers, drReplica: state.drReplica,
  })
  await Promise.all(staleLayout.nodes.map(async (node) => {
    const pid = state?.patroniPids[node.name]
    if (typeof pid === 'number') await terminate(patroniRecord(node, pid), 5_000, { group: true })
    const postmaster = await readPostmasterPid(node.dataDir)
    if (postmaster !== undefined) await terminate(postmaster, 5_000)
  }))
  await stopEtcdMembers(staleLayout, state?.etcdPids ?? [], 5_000)
  await rm(layout.dataDir, { recursive: true, force: true })
}

/**
 * Starts a real HA cluster on loopback: etcd (1 or 3 members), then 3 Patroni + PostgreSQL 15 nodes
 * (plus a `nofailover` DR node), from configs rendered by `@birthday-ha/provisioner/render`, and
 * waits until it is ready (one primary, every replica streaming, a sync standby). Installs the
 * Debian packages first when missing and running as root; with `patroni: '4'` also fetches and
 * unpacks Debian 13's Patroni 4.0.7 into its own dir once (`ensurePatroni4`). A stale cluster in the data dir is
 * stopped and wiped first. Processes run detached; `close()` stops them.
 *
 * @example
 * ```ts
 * await using cluster = await startCluster({ basePort: 25100, etcdMembers: 1 })
 * const { name } = await cluster.killLeader()
 * await cluster.waitReady()
 * ```
 */
export async function startCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  const log = options.log ?? silent
  const layout = resolveLayout(options)
  const tls = await readRestTls(layout.restTls)
  await ensureSystemPackages()
  if (layout.patroni === '4') {
    await ensurePatroni4(log)
    const { ttl, loop_wait: loopWait, retry_timeout: retryTimeout } = layout.timing
    log(`Patroni 4.0.7 from ${PATRONI4_DIR}, timing ${ttl}/${loopWait}/${retryTimeout} (Patroni 4's minimums: ttl 20, retry_timeout 3)`)
  }
  await cleanStale(layout, log)
  await assertPortsFree(layout)
  const owner = postgresUser()
  for (const dir of [layout.dataDir, `${layout.dataDir}/nodes`, `${layout.dataDir}/etcd`]) {
    await mkdir(dir, { recursive: true })
    await chmod(dir, 0o755) // postgres must traverse to its node dirs; secrets sit in 0600 files and 0700 dirs below
  }
  let state: ClusterState = {
    version: 1,
    name: layout.name,
    basePort: layout.basePort,
    etcdMembers: layout.etcd.length as 1 | 3,
    drReplica: layout.nodes.some((n) => n.dr),
    patroni: layout.patroni,
    timing: layout.timing,
    synchronousMode: layout.synchronousMode,
    ...(layout.restTls !== undefined && { restTls: layout.restTls }),
    credentials: generateCredentials(),
    etcdPids: layout.etcd.map(() => null),
    patroniPids: Object.fromEntries(layout.nodes.map((n) => [n.name, null])),
  }
  await writeState(layout, state)
  const cluster = new Cluster(layout, state, log, tls)
  const started = Date.now()
  try {
    for (const member of layout.etcd) {
      await writeEtcdConfig(layout, member)
      const pid = await spawnEtcd(member)
      state = { ...state, etcdPids: state.etcdPids.map((p, i) => (i === member.index ? pid : p)) }
      await writeState(layout, state)
      log(`started ${member.name} (pid ${pid}, client port ${member.clientPort})`)
    }
    await waitEtcdHealthy(layout, state.etcdPids, 30_000)
    for (const node of layout.nodes) {
      await writeNodeConfig(layout, node, state.credentials, owner)
      const pid = await spawnPatroni(node, layout.patroni)
      state = { ...state, patroniPids: { ...state.patroniPids, [node.name]: pid } }
      await writeState(layout, state)
      log(`started Patroni ${node.name} (pid ${pid}, PostgreSQL port ${node.pgPort}, REST port ${node.restPort})`)
    }
    await cluster.waitReady()
    log(`cluster ${layout.name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    return cluster
  } catch (err) {
    await cluster.close()
    throw err
  }
}

/**
 * Re-attaches to a cluster started earlier (e.g. by the CLI `up`), from the state file in its data
 * dir. Only `name`, `dataDir` and `log` are read from `options`; ports, members and the Patroni
 * release (so `startMember` restarts the same Patroni) come from the state.
 * Throws `LC_NO_STATE` when no cluster was started there.
 *
 * @example
 * ```ts
 * const cluster = await attachCluster({ name: 'birthday' })
 * console.table(await cluster.status())
 * ```
 */
export async function attachCluster(options: ClusterOptions = {}): Promise<LocalCluster> {
  return await openCluster(options)
}

/** {@link attachCluster}, typed as the implementation (the CLI also needs `resumeAll`). */
export async function openCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const base = resolveLayout({ ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) })
  const state = await readState(base)
  if (state === undefined) {
    throw new LocalClusterError('LC_NO_STATE', `no cluster state in ${base.dataDir}; start one with: npm run cluster -- up`)
  }
  const layout = resolveLayout({
    name: base.name, dataDir: base.dataDir, basePort: state.basePort, etcdMembers: state.etcdMembers,
    drReplica: state.drReplica, patroni: state.patroni, timing: state.timing, synchronousMode: state.synchronousMode,
    ...(state.restTls !== undefined && { restTls: state.restTls }),
  })
  return new Cluster(layout, state, options.log ?? silent, await readRestTls(layout.restTls))
}
