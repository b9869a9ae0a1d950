import { defaultSleep } from '../targets/aws/clients.js'
import { ProvisionerError } from '../errors.js'
import type { SshSession, SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import type { LoadBalancer } from '../target.js'
import { bootstrapDcs } from './dynamic-config.js'
import { hostPlan, patroniFile, stackHosts, type HostEnvironment, type HostSpec, type Secrets } from './host-plan.js'
import { patchDynamicConfig, restStatus } from './patroni-rest.js'
import { pollUntil, type PollOptions } from './poll.js'
import { checkLsn, sqlOnHost } from './psql.js'
import { repointApps } from './repoint-apps.js'
import { FOLLOWS_DR } from './units.js'

/** Options of {@link failBack}. */
export interface FailBackOptions extends HostEnvironment {
  readonly sessions: SshSessionFactory
  readonly loadBalancer: LoadBalancer
  readonly secrets: Secrets
  /** Writes stop for the switch (seconds): refused without it. */
  readonly confirm: boolean
  readonly now?: () => number
  readonly sleep?: (ms: number) => Promise<void>
  readonly pollAttempts?: number
  readonly pollIntervalMs?: number
}

/** What {@link failBack} did. */
export interface FailBackReport {
  /** The primary region's new leader. */
  readonly leader: string
  /** The DR host's last WAL position as a primary; the new leader had replayed it before its promotion. */
  readonly handoverLsn: string
  /** From the DR host's demotion to the new leader's promotion: no database took writes meanwhile. */
  readonly noWriterMs: number
  /** App hosts restarted onto the primary region, one at a time behind the load balancer. */
  readonly repointed: readonly string[]
}

/**
 * The way back after `promote-dr` and `rebuildPrimary`, part 2: a planned switch of the roles,
 * losing no acknowledged write.
 * 1. The DR cluster becomes a standby of the primary region again (`standby_cluster` back in its
 *    dynamic config: Patroni demotes its primary, https://patroni.readthedocs.io/en/latest/standby_cluster.html).
 * 2. Its last WAL position is read and the primary region's standby leader must have replayed it.
 * 3. The primary region's standby leader is promoted (`standby_cluster` removed); its slot for the DR
 *    host was in its bootstrap already.
 * 4. The primary DB hosts get their usual `patroni.yml` (its bootstrap section is all that differs,
 *    so nothing restarts) and their fence back; a full backup of the new timeline starts.
 * 5. The app hosts are pointed at the primary region, one at a time behind the load balancer.
 * From 1 until an app host is back, writes get 503 with `Retry-After`. (Pointing the apps at both
 * regions first would not shorten it: the client decides on a majority of the members' views, and
 * the three standby members outvote the one DR host; noted on issue 9.)
 *
 * @example
 * ```ts
 * const r = await failBack(stack, { sessions, loadBalancer: target.loadBalancer, secrets, confirm: true })
 * console.log(r.leader, r.noWriterMs)
 * ```
 */
export async function failBack(stack: Stack, o: FailBackOptions): Promise<FailBackReport> {
  if (!o.confirm) throw new ProvisionerError('PROV_NOT_CONFIRMED', 'fail-back stops writes for the switch: it needs --yes')
  const poll: PollOptions = { attempts: o.pollAttempts ?? 60, intervalMs: o.pollIntervalMs ?? 5000, sleep: o.sleep ?? defaultSleep }
  const now = o.now ?? Date.now
  const hosts = stackHosts(stack)
  const db = hosts.filter((h) => h.role === 'db')
  const dr = hosts.find((h) => h.role === 'dr-db')!
  const sessions = new Map<HostSpec, SshSession>()
  const waitFor = async (h: HostSpec, path: string, what: string): Promise<void> => {
    if (!(await pollUntil(async () => (await restStatus(sessions.get(h)!, h.ip, path)) === '200', poll))) {
      throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${h.name} did not become ${what}`, { details: { host: h.name } })
    }
  }
  try {
    for (const h of [...db, dr]) sessions.set(h, await o.sessions({ host: h.ip, name: h.name }))
    const s = (h: HostSpec): SshSession => sessions.get(h)!
    if ((await restStatus(s(dr), dr.ip, '/primary')) !== '200') {
      throw new ProvisionerError('PROV_WRONG_STATE', `${dr.name} is not the primary: fail-back runs after promote-dr and rebuild-primary`, { details: { host: dr.name } })
    }
    let standbyLeader: HostSpec | undefined
    for (const h of db) if (standbyLeader === undefined && (await restStatus(s(h), h.ip, '/standby-leader')) === '200') standbyLeader = h
    if (standbyLeader === undefined) {
      throw new ProvisionerError('PROV_WRONG_STATE', 'the primary region has no standby leader: run rebuild-primary first', { details: { hosts: db.map((h) => h.name) } })
    }
    const leader = standbyLeader

    const drPlan = hostPlan(stack, dr, o.secrets, o)
    const start = now()
    await patchDynamicConfig(s(dr), dr.ip, { standby_cluster: bootstrapDcs(patroniFile(drPlan).content)['standby_cluster'] })
    await waitFor(dr, '/standby-leader', 'a standby leader')
    // Patroni may say standby leader while its PostgreSQL still starts as a standby and refuses connections
    // ("the database system is starting up", seen on the lab): ask until it answers.
    let replayed: string | undefined
    let refused: unknown
    const ask = (): Promise<string | undefined> => sqlOnHost(s(dr), stack, 'SELECT pg_last_wal_replay_lsn()').catch((err: unknown) => void (refused = err))
    const answered = await pollUntil(async () => (replayed = await ask()) !== undefined, poll)
    if (!answered) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${dr.name} did not answer as a standby: ${(refused as Error).message}`, { details: { host: dr.name }, cause: refused })
    const handoverLsn = checkLsn(replayed!)
    const caughtUp = await pollUntil(async () => (await sqlOnHost(s(leader), stack, `SELECT pg_last_wal_replay_lsn() >= '${handoverLsn}'::pg_lsn`)) === 't', poll)
    if (!caughtUp) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${leader.name} did not replay the DR host's WAL up to ${handoverLsn}`, { details: { host: leader.name } })
    await patchDynamicConfig(s(leader), leader.ip, { standby_cluster: null })
    await waitFor(leader, '/primary', 'the primary')
    const noWriterMs = now() - start

    for (const h of db) {
      const file = patroniFile(hostPlan(stack, h, o.secrets, o))
      await s(h).writeFile(file.path, file.content, { mode: file.mode, owner: file.owner })
      await s(h).run(`rm -f ${FOLLOWS_DR}`)
    }
    // A full backup of the new timeline: the primary region's repository has no WAL of the DR epoch (the DR host archived to its own).
    await s(leader).run('systemctl start --no-block birthday-backup.service')
    const repointed = await repointApps(stack, { ...o, poll }, db.map((x) => x.ip))
    return { leader: leader.name, handoverLsn, noWriterMs, repointed }
  } finally {
    for (const x of sessions.values()) await x.close()
  }
}
