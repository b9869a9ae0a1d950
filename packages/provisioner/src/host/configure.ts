import { defaultSleep, type ProgressEvent } from '../targets/aws/clients.js'
import { ProvisionerError } from '../errors.js'
import type { SshSession, SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import type { LoadBalancer } from '../target.js'
import { rollAppHost } from './deploy.js'
import { hostPlan, patroniFile, stackHosts, stanzaOf, type HostEnvironment, type HostPlan, type Secrets } from './host-plan.js'
import { dynamicConfigPatch } from './dynamic-config.js'
import { clusterMembers, dynamicConfig, isLeader, patchDynamicConfig, restStatus, switchover, type ClusterMember } from './patroni-rest.js'
import { pollUntil, type PollOptions } from './poll.js'
import { ChangedUnits, ensureUnit, restartUnit, type UnitState } from './unit-control.js'
import { PRIMARY_ENDPOINT_UNIT } from './units.js'

/** Options of {@link configureHosts}. */
export interface ConfigureOptions extends HostEnvironment {
  /** SSH sessions to the stack's hosts (`Target.sessions`, or `dryRunSessions`). */
  readonly sessions: SshSessionFactory
  /** The stack's secrets (`Target.secrets.ensure`). */
  readonly secrets: Secrets
  /** When given, app hosts whose config changed restart one at a time behind it. */
  readonly loadBalancer?: LoadBalancer
  readonly sleep?: (ms: number) => Promise<void>
  /** Poll interval for leadership and health (default 5 s). */
  readonly pollIntervalMs?: number
  /** Polls before giving up (default 60). */
  readonly pollAttempts?: number
  /** Print what would be done; skip waits and verification. */
  readonly dryRun?: boolean
  readonly onProgress?: (e: ProgressEvent) => void
}

/** What {@link configureHosts} changed. A second run reports four empty lists. */
export interface ConfigureReport {
  /** `host:path` of every file that was (re)written. */
  readonly written: readonly string[]
  /** `host:unit` of every unit that was not running and was started. */
  readonly started: readonly string[]
  /** `host:unit` of every running unit restarted because a file it depends on changed. */
  readonly restarted: readonly string[]
  /** `host:/config` of every cluster whose dynamic configuration was patched (see {@link dynamicConfigPatch}). */
  readonly reconfigured: readonly string[]
  /** The Patroni leader of the primary cluster at the end. */
  readonly leader: string
}

const ETCD = 'birthday-etcd.service'
const PATRONI = 'birthday-patroni.service'
const APP = 'birthday-app.service'
const TIMER = 'birthday-backup.timer'

/**
 * Configure every host over SSH, in ordered idempotent steps: 1 install Debian's packages;
 * 2 upload configs (only changed files are rewritten); 3 etcd; 4 Patroni on the first node, a
 * leader, then the replicas; 5 verify, patch the dynamic config where the stack changed it,
 * pgBackRest stanza and check; 6 the DR standby cluster (its endpoint to the primary's leader,
 * then Patroni and its dynamic config); 7 the app. A running unit restarts only when a file it
 * depends on changed: etcd one member at a time, Patroni replicas before the leader, with a
 * switchover before the leader restarts.
 *
 * @example
 * ```ts
 * const report = await configureHosts(stack, { sessions, secrets: await target.secrets.ensure(stack) })
 * console.log(report.written.length, report.restarted.length) // 0 0 on a second run
 * ```
 */
export async function configureHosts(stack: Stack, o: ConfigureOptions): Promise<ConfigureReport> {
  const poll: PollOptions = { attempts: o.pollAttempts ?? 60, intervalMs: o.pollIntervalMs ?? 5000, sleep: o.sleep ?? defaultSleep }
  const dryRun = o.dryRun === true
  const step = (detail: string) => o.onProgress?.({ event: 'step', detail })
  const env: HostEnvironment = { ...(o.timing === undefined ? {} : { timing: o.timing }), ...(o.backupRepository === undefined ? {} : { backupRepository: o.backupRepository }) }
  const plans = stackHosts(stack).map((h) => hostPlan(stack, h, o.secrets, env))
  const sessions = new Map<string, SshSession>()
  const written: string[] = []
  const started: string[] = []
  const restarted: string[] = []
  const reconfigured: string[] = []
  const changed = new ChangedUnits()
  try {
    for (const p of plans) sessions.set(p.host.name, await o.sessions({ host: p.host.ip, name: p.host.name }))
    const s = (p: HostPlan): SshSession => sessions.get(p.host.name)!
    const byRole = (role: string): HostPlan[] => plans.filter((p) => p.host.role === role)
    const db = byRole('db')
    const dr = byRole('dr-db')[0]!
    const ensure = async (p: HostPlan, unit: string, onlyIf?: string): Promise<UnitState> => {
      const state = await ensureUnit(s(p), unit, onlyIf)
      if (state === 'started') started.push(`${p.host.name}:${unit}`)
      return state
    }
    const restart = async (p: HostPlan, unit: string): Promise<void> => {
      await restartUnit(s(p), unit)
      restarted.push(`${p.host.name}:${unit}`)
    }
    const stale = (p: HostPlan, unit: string, state: UnitState) => state === 'running' && changed.has(p.host.name, unit)
    // A cluster bootstrapped by an older stack keeps its old dynamic config until it is patched.
    const converge = async (p: HostPlan): Promise<void> => {
      if (dryRun) return
      const patch = dynamicConfigPatch(patroniFile(p).content, await dynamicConfig(s(p), p.host.ip))
      if (patch === undefined) return
      await patchDynamicConfig(s(p), p.host.ip, patch)
      reconfigured.push(`${p.host.name}:/config`)
    }

    step('1 install packages')
    await Promise.all(plans.map(async (p) => void (await s(p).run(p.install))))

    step('2 upload configs')
    await Promise.all(plans.map(async (p) => {
      let units = false
      for (const f of p.files) {
        if (!(await s(p).writeFile(f.path, f.content, { mode: f.mode, owner: f.owner }))) continue
        written.push(`${p.host.name}:${f.path}`)
        changed.add(p.host.name, f.units)
        units ||= f.path.startsWith('/etc/systemd/')
      }
      if (units) await s(p).run('systemctl daemon-reload')
    }))

    step('3 etcd')
    const etcdHosts = [...db, dr]
    const etcdStates = await Promise.all(etcdHosts.map((p) => ensure(p, ETCD))) // members wait for each other's quorum
    for (const [i, p] of etcdHosts.entries()) if (stale(p, ETCD, etcdStates[i]!)) await restart(p, ETCD) // one member at a time

    step('4 Patroni')
    const patroniStates = new Map<HostPlan, UnitState>([[db[0]!, await ensure(db[0]!, PATRONI)]])
    let leader = await waitLeader(db, s, dryRun, poll)
    for (const p of db.slice(1)) patroniStates.set(p, await ensure(p, PATRONI))
    const toRestart = db.filter((p) => stale(p, PATRONI, patroniStates.get(p)!))
    if (toRestart.length > 0) {
      await verifyCluster(stack, leader, db, s, poll)
      for (const p of toRestart.filter((x) => x !== leader)) {
        await restart(p, PATRONI)
        await verifyCluster(stack, leader, db, s, poll)
      }
      if (toRestart.includes(leader)) {
        const candidate = await switchoverFrom(stack, leader, db, s, poll)
        await restart(leader, PATRONI)
        leader = candidate
        await verifyCluster(stack, leader, db, s, poll)
      }
    }

    step('5 verify, backups')
    if (!dryRun) await verifyCluster(stack, leader, db, s, poll)
    await converge(leader)
    const stanza = stanzaOf(stack)
    await s(leader).run(`sudo -u postgres pgbackrest --stanza=${stanza} stanza-create && sudo -u postgres pgbackrest --stanza=${stanza} check`)
    for (const p of db) if (stale(p, TIMER, await ensure(p, TIMER))) await restart(p, TIMER)

    step('6 DR standby cluster')
    if (stale(dr, PRIMARY_ENDPOINT_UNIT, await ensure(dr, PRIMARY_ENDPOINT_UNIT))) await restart(dr, PRIMARY_ENDPOINT_UNIT)
    if (stale(dr, PATRONI, await ensure(dr, PATRONI))) await restart(dr, PATRONI)
    if (!dryRun && !(await pollUntil(async () => (await restStatus(s(dr), dr.host.ip, '/standby-leader')) === '200', poll))) {
      throw new ProvisionerError('PROV_HOST_UNHEALTHY', `DR host ${dr.host.name} did not become the standby leader`, { details: { host: dr.host.name } })
    }
    await converge(dr)

    step('7 app')
    for (const p of byRole('app')) {
      if (!stale(p, APP, await ensure(p, APP, '/opt/birthday/current'))) continue
      if (o.loadBalancer === undefined) await restart(p, APP)
      else {
        await rollAppHost(stack, { loadBalancer: o.loadBalancer, session: s(p), host: p.host.name, poll, restart: `systemctl restart ${APP}` })
        restarted.push(`${p.host.name}:${APP}`)
      }
    }
    return { written, started, restarted, reconfigured, leader: leader.host.name }
  } finally {
    for (const x of sessions.values()) await x.close()
  }
}

async function waitLeader(db: readonly HostPlan[], s: (p: HostPlan) => SshSession, dryRun: boolean, poll: PollOptions): Promise<HostPlan> {
  if (dryRun) return db[0]!
  let leader: HostPlan | undefined
  const ok = await pollUntil(async () => {
    for (const p of db) {
      if ((await restStatus(s(p), p.host.ip, '/primary')) === '200') {
        leader = p
        return true
      }
    }
    return false
  }, poll)
  if (!ok || leader === undefined) throw new ProvisionerError('PROV_NO_LEADER', 'no Patroni leader after bootstrap', { details: { hosts: db.map((p) => p.host.name) } })
  return leader
}

/**
 * Healthy means: one leader, every other member `streaming` (not merely `running`: the
 * pg_basebackup WAL stream also shows up), and a `sync_standby` in synchronous mode.
 */
export function clusterHealthy(stack: Stack, members: readonly ClusterMember[], size: number): boolean {
  const leaders = members.filter(isLeader)
  const streaming = members.filter((m) => !isLeader(m) && m.state === 'streaming')
  const sync = !stack.database.synchronousMode || members.some((m) => m.role === 'sync_standby' && m.state === 'streaming')
  return leaders.length === 1 && streaming.length === size - 1 && sync
}

async function verifyCluster(stack: Stack, leader: HostPlan, db: readonly HostPlan[], s: (p: HostPlan) => SshSession, poll: PollOptions): Promise<readonly ClusterMember[]> {
  let last: readonly ClusterMember[] | undefined
  const ok = await pollUntil(async () => {
    last = await clusterMembers(s(leader), leader.host.ip)
    return last !== undefined && clusterHealthy(stack, last, db.length)
  }, poll)
  if (!ok) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `cluster not healthy: ${JSON.stringify(last ?? null).slice(0, 500)}`, { details: { host: leader.host.name } })
  return last!
}

/** Hand leadership to the sync standby (or a streaming replica) and wait until it is the primary. */
async function switchoverFrom(stack: Stack, leader: HostPlan, db: readonly HostPlan[], s: (p: HostPlan) => SshSession, poll: PollOptions): Promise<HostPlan> {
  const members = await verifyCluster(stack, leader, db, s, poll)
  const want = stack.database.synchronousMode ? 'sync_standby' : 'replica'
  const name = members.find((m) => m.role === want && m.state === 'streaming')!.name
  const candidate = db.find((p) => p.host.name === name)
  if (candidate === undefined) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `switchover candidate ${name} is not a DB host of the stack`, { details: { host: name } })
  await switchover(s(leader), leader.host.ip, leader.host.name, name)
  if (!(await pollUntil(async () => (await restStatus(s(candidate), candidate.host.ip, '/primary')) === '200', poll))) {
    throw new ProvisionerError('PROV_NO_LEADER', `${name} did not become the leader after the switchover`, { details: { host: name } })
  }
  return candidate
}
