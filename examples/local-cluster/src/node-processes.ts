import { readFile } from 'node:fs/promises'
import { LocalClusterError } from './errors.js'
import type { ClusterLayout, EtcdLayout, NodeLayout } from './layout.js'
import { CLEAN_PATH, isAlive, readPostmasterPid, signalProcess, spawnDetached, terminate, waitForExit,
  type ProcessRecord } from './processes.js'
import { restCall } from './patroni-rest.js'
import { patroniCommand, type PatroniRelease } from './patroni-release.js'
import { waitFor } from './wait.js'

/** The recorded etcd process of `member`. */
export const etcdRecord = (member: EtcdLayout, pid: number): ProcessRecord => ({ pid, marker: member.configFile })

/** The recorded Patroni process of `node`. */
export const patroniRecord = (node: NodeLayout, pid: number): ProcessRecord => ({ pid, marker: node.configFile })

/** Starts etcd member `member` from its rendered config file, with a clean environment (notes gotcha 2). */
export async function spawnEtcd(member: EtcdLayout): Promise<number> {
  return await spawnDetached('/usr/bin/etcd', ['--config-file', member.configFile], member.logFile, { PATH: CLEAN_PATH })
}

/**
 * Starts `node`'s Patroni of `release` as `postgres` with a clean environment:
 * `setpriv --reuid=postgres --regid=postgres --init-groups env -i HOME=… PATH=… patroni patroni.yml`
 * (Patroni 4: `… PYTHONPATH=<tree> /usr/bin/python3 <tree>/usr/bin/patroni patroni.yml`).
 * setpriv and env exec, so the PID is Patroni's.
 */
export async function spawnPatroni(node: NodeLayout, release: PatroniRelease): Promise<number> {
  const { env, argv } = patroniCommand(release, node.configFile)
  return await spawnDetached('/usr/bin/setpriv', [
    '--reuid=postgres', '--regid=postgres', '--init-groups',
    '/usr/bin/env', '-i', 'HOME=/var/lib/postgresql', `PATH=${CLEAN_PATH}`, 'LC_ALL=C.UTF-8', ...env,
    ...argv,
  ], node.logFile, { PATH: CLEAN_PATH })
}

/** The last `lines` lines of a log file, for error messages (logs hold no secrets). */
export async function logTail(file: string, lines = 5): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

/** Waits until every member answers `GET /health` with `{"health":"true"}`; fails fast if one exits. */
export async function waitEtcdHealthy(layout: ClusterLayout, pids: readonly (number | null)[], timeoutMs: number): Promise<void> {
  await waitFor('etcd to be healthy', async () => {
    for (const member of layout.etcd) {
      const pid = pids[member.index]
      if (pid === null || pid === undefined) continue
      if (!(await isAlive(etcdRecord(member, pid)))) {
        throw new LocalClusterError('LC_PROCESS_EXITED',
          `etcd member ${member.name} exited; see ${member.logFile}:\n${await logTail(member.logFile)}`)
      }
      const res = await restCall(`http://127.0.0.1:${member.clientPort}/health`, { timeoutMs: 1000 })
      if (res.status !== 200 || !res.body.includes('"true"')) throw new Error(`${member.name} not healthy: ${res.body}`)
    }
    return true
  }, { timeoutMs })
}

/** Asserts each node's Patroni still runs (used while waiting, so a crash fails fast with its log). */
export async function assertPatroniAlive(nodes: readonly NodeLayout[], pids: Record<string, number | null>): Promise<void> {
  for (const node of nodes) {
    const pid = pids[node.name]
    if (typeof pid === 'number' && !(await isAlive(patroniRecord(node, pid)))) {
      throw new LocalClusterError('LC_PROCESS_EXITED',
        `Patroni of ${node.name} exited; see ${node.logFile}:\n${await logTail(node.logFile)}`)
    }
  }
}

/** SIGKILLs `node`'s Patroni (its process group) and its postmaster, and waits until both are gone. */
export async function killNode(node: NodeLayout, patroniPid: number | null): Promise<void> {
  const postmaster = await readPostmasterPid(node.dataDir)
  if (patroniPid !== null) {
    await signalProcess(patroniRecord(node, patroniPid), 'SIGKILL', { group: true })
    await waitForExit(patroniRecord(node, patroniPid), 5_000)
  }
  if (postmaster !== undefined) {
    await signalProcess(postmaster, 'SIGKILL')
    await waitForExit(postmaster, 5_000)
  }
}

/** Stops `node` gracefully: SIGTERM to Patroni (it stops PostgreSQL), then the postmaster if left; SIGKILL after a bound. */
export async function stopNode(node: NodeLayout, patroniPid: number | null, graceMs: number): Promise<void> {
  if (patroniPid !== null) await terminate(patroniRecord(node, patroniPid), graceMs, { group: true })
  const postmaster = await readPostmasterPid(node.dataDir)
  if (postmaster !== undefined) await terminate(postmaster, graceMs)
}

/** Index of the etcd member that reports itself raft leader, or -1 when none answers so. */
async function etcdLeaderIndex(layout: ClusterLayout): Promise<number> {
  const answers = await Promise.all(layout.etcd.map(async (member) => {
    const res = await restCall(`http://127.0.0.1:${member.clientPort}/v3/maintenance/status`,
      { method: 'POST', body: {}, timeoutMs: 500 }).catch(() => undefined)
    const status = JSON.parse(res?.body ?? '{}') as { header?: { member_id?: string }; leader?: string }
    return status.leader !== undefined && status.header?.member_id === status.leader
  }))
  return answers.indexOf(true)
}

/**
 * Stops the recorded etcd members: followers first, then the leader. Stopped together, the
 * leader spends ~7 s trying to hand leadership to followers that are going away (measured);
 * in this order the whole stop takes ~100 ms.
 */
export async function stopEtcdMembers(layout: ClusterLayout, pids: readonly (number | null)[], graceMs: number): Promise<void> {
  const leader = await etcdLeaderIndex(layout)
  const stop = async (members: readonly EtcdLayout[]): Promise<void> => {
    await Promise.all(members.map(async (member) => {
      const pid = pids[member.index]
      if (typeof pid === 'number') await terminate(etcdRecord(member, pid), graceMs)
    }))
  }
  await stop(layout.etcd.filter((m) => m.index !== leader))
  await stop(layout.etcd.filter((m) => m.index === leader))
}
