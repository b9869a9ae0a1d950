import type { SshSession, SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import type { LoadBalancer } from '../target.js'
import { stackHosts, stanzaOf, type HostSpec } from './host-plan.js'
import { clusterMembers, isLeader, type ClusterMember } from './patroni-rest.js'

/** One database member as its Patroni cluster sees it. */
export interface MemberStatus {
  /** The stack's host name, also the Patroni member name (`db1`…, `dr1`). */
  readonly name: string
  readonly ip: string
  /** `primary` or `dr`. */
  readonly cluster: 'primary' | 'dr'
  /** Patroni's role from `/cluster`: `leader`, `sync_standby`, `replica`, `standby_leader`…, or `unreachable`. */
  readonly role: string
  /** Patroni's state: `running`, `streaming`…, or `unknown`. */
  readonly state: string
  /** Replication lag in bytes (replicas), as Patroni reports it. */
  readonly lag?: number | string
  readonly timeline?: number
}

/** One app host behind the load balancer. */
export interface AppStatus {
  readonly name: string
  readonly ip: string
  /** The load balancer's view: `healthy`, `unhealthy`, `draining`, `unused`, or `unregistered`. */
  readonly health: string
}

/** What {@link stackStatus} found. */
export interface StackStatus {
  readonly members: readonly MemberStatus[]
  readonly apps: readonly AppStatus[]
  /** `pgbackrest check` on the leader. */
  readonly backups: 'ok' | 'failed' | 'unknown'
  /** True when nothing is in `problems`. */
  readonly healthy: boolean
  /** What is not as it should be, one line each. */
  readonly problems: readonly string[]
}

/** Options of {@link stackStatus}. */
export interface StatusOptions {
  readonly sessions: SshSessionFactory
  readonly loadBalancer: Pick<LoadBalancer, 'health'>
}

async function withSession<T>(sessions: SshSessionFactory, h: HostSpec, fn: (s: SshSession) => Promise<T>): Promise<T | undefined> {
  try {
    const s = await sessions({ host: h.ip, name: h.name })
    try {
      return await fn(s)
    } finally {
      await s.close()
    }
  } catch {
    return undefined
  }
}

/**
 * Ask every host of a cluster for `/cluster` and take the view most of them share (by the
 * leader each names). A Patroni that lost its DCS answers from its last view (seen on the lab: a leader
 * partitioned from the other DB hosts still named itself leader, minutes after it had demoted): asking
 * the first host only reported that stale view. Views that disagree on the leader are a problem.
 */
async function askMajority(sessions: SshSessionFactory, hosts: readonly HostSpec[]): Promise<{ readonly members: readonly ClusterMember[]; readonly disagreement?: string }> {
  const answers = await Promise.all(hosts.map(async (h) => ({ host: h.name, members: await withSession(sessions, h, (s) => clusterMembers(s, h.ip)) })))
  const views = answers.filter((a): a is { host: string; members: readonly ClusterMember[] } => a.members !== undefined)
  const byLeader = new Map<string, (typeof views)[number][]>()
  for (const v of views) {
    const leader = v.members.filter(isLeader).map((m) => m.name).join('+') || 'no leader'
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), v])
  }
  // the largest group; on a tie, the first host's (the order of the stack)
  const groups = [...byLeader.entries()].sort((a, b) => b[1].length - a[1].length)
  if (groups.length === 0) return { members: [] }
  const members = groups[0]![1][0]!.members
  if (groups.length === 1) return { members }
  const said = groups.map(([leader, vs]) => `${vs.map((v) => v.host).join(', ')} ${vs.length === 1 ? 'names' : 'name'} ${leader}`).join('; ')
  return { members, disagreement: `the DB hosts disagree on the leader (${said}): a partition, or a Patroni without its DCS` }
}

/**
 * Every database member with its Patroni role and state (the primary cluster and the DR standby
 * cluster), the app hosts' load-balancer health, and `pgbackrest check` on the leader. Judges the
 * stack healthy when there is one leader, every replica streams, one is `sync_standby` (in
 * synchronous mode), the DR host is a streaming `standby_leader`, backups check and apps are healthy.
 *
 * @example
 * ```ts
 * const st = await stackStatus(stack, { sessions, loadBalancer: target.loadBalancer })
 * for (const m of st.members) console.log(m.name, m.role, m.state)
 * ```
 */
export async function stackStatus(stack: Stack, o: StatusOptions): Promise<StackStatus> {
  const hosts = stackHosts(stack)
  const db = hosts.filter((h) => h.role === 'db')
  const dr = hosts.filter((h) => h.role === 'dr-db')
  const [primaryView, drView] = await Promise.all([askMajority(o.sessions, db), askMajority(o.sessions, dr)])
  const seen = [...primaryView.members, ...drView.members]
  const members: MemberStatus[] = [...db, ...dr].map((h) => {
    const m = seen.find((x) => x.name === h.name)
    return {
      name: h.name, ip: h.ip, cluster: h.role === 'db' ? 'primary' as const : 'dr' as const,
      role: m?.role ?? 'unreachable', state: m?.state ?? 'unknown',
      ...(m?.lag === undefined ? {} : { lag: m.lag }), ...(m?.timeline === undefined ? {} : { timeline: m.timeline }),
    }
  })
  const problems: string[] = primaryView.disagreement === undefined ? [] : [primaryView.disagreement]
  const primary = members.filter((m) => m.cluster === 'primary')
  const leaders = primary.filter((m) => isLeader({ name: m.name, role: m.role, state: m.state }))
  if (leaders.length !== 1) problems.push(`${leaders.length} leaders in the primary cluster`)
  for (const m of primary) if (!leaders.includes(m) && m.state !== 'streaming') problems.push(`${m.name} is ${m.role}/${m.state}, not streaming`)
  if (stack.database.synchronousMode && !primary.some((m) => m.role === 'sync_standby')) problems.push('no sync_standby')
  for (const m of members.filter((x) => x.cluster === 'dr')) if (m.role !== 'standby_leader' || m.state !== 'streaming') problems.push(`${m.name} is ${m.role}/${m.state}, not a streaming standby_leader`)

  let backups: StackStatus['backups'] = 'unknown'
  const leader = db.find((h) => h.name === leaders[0]?.name)
  if (leader !== undefined) {
    const stanza = stanzaOf(stack)
    backups = (await withSession(o.sessions, leader, async (s) => {
      await s.run(`sudo -u postgres pgbackrest --stanza=${stanza} check`)
      return 'ok' as const
    })) ?? 'failed'
  }
  if (backups !== 'ok') problems.push(`pgbackrest check: ${backups}`)

  const health = await o.loadBalancer.health(stack).catch(() => new Map<string, string>())
  const apps = hosts.filter((h) => h.role === 'app').map((h) => ({ name: h.name, ip: h.ip, health: health.get(h.name) ?? 'unregistered' }))
  for (const a of apps) if (a.health !== 'healthy') problems.push(`${a.name} is ${a.health} in the load balancer`)
  return { members, apps, backups, healthy: problems.length === 0, problems }
}

/** The status as a table, one line per host, then the problems. */
export function formatStatus(st: StackStatus): string {
  const lines = [
    ...st.members.map((m) => `${m.name.padEnd(6)} ${m.cluster.padEnd(8)} ${m.ip.padEnd(14)} ${m.role.padEnd(15)} ${m.state}${m.lag === undefined ? '' : ` lag ${m.lag}`}`),
    ...st.apps.map((a) => `${a.name.padEnd(6)} ${'app'.padEnd(8)} ${a.ip.padEnd(14)} ${a.health}`),
    `backups: pgbackrest check ${st.backups}`,
    st.healthy ? 'healthy' : `problems: ${st.problems.join('; ')}`,
  ]
  return lines.join('\n')
}
