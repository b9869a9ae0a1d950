import { defaultSleep } from '../targets/aws/clients.js'
import { ProvisionerError } from '../errors.js'
import type { SshSession, SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import { hostPlan, patroniFile, stackHosts, type HostEnvironment, type HostSpec, type Secrets } from './host-plan.js'
import { clusterMembers, restStatus } from './patroni-rest.js'
import { pollUntil, type PollOptions } from './poll.js'
import { FOLLOWS_DR } from './units.js'

/** Options of {@link rebuildPrimary}. */
export interface RebuildPrimaryOptions extends HostEnvironment {
  readonly sessions: SshSessionFactory
  readonly secrets: Secrets
  /** The primary region's databases are wiped: refused without it. */
  readonly confirm: boolean
  readonly sleep?: (ms: number) => Promise<void>
  readonly pollAttempts?: number
  readonly pollIntervalMs?: number
}

/** What {@link rebuildPrimary} did. */
export interface RebuildPrimaryReport {
  /** The primary region's DB hosts, now a standby cluster of the DR host. */
  readonly rebuilt: readonly string[]
  /** Its standby leader (streams from the DR host; the others cascade from it). */
  readonly standbyLeader: string
  /** Hosts that were still running as a primary when they were stopped: the fence had not held. */
  readonly wasPrimary: readonly string[]
}

const PATRONI = 'birthday-patroni.service'

/**
 * The way back after `promote-dr`, part 1: rebuild the primary region's DB hosts as a Patroni
 * standby cluster of the promoted DR host (https://patroni.readthedocs.io/en/latest/standby_cluster.html).
 * On each host: stop Patroni (and PostgreSQL with it), wipe the data directory; remove the old
 * cluster's keys from its etcd; write a `patroni.yml` whose bootstrap is a standby cluster of the
 * DR host; start the first host (it clones the DR host with `pg_basebackup`), then the others.
 * Refused unless the DR host is the primary: it must never wipe the only primary left.
 * `failBack` then switches the roles back.
 *
 * @example
 * ```ts
 * await rebuildPrimary(stack, { sessions, secrets: await target.secrets.read(stack), confirm: true })
 * ```
 */
export async function rebuildPrimary(stack: Stack, o: RebuildPrimaryOptions): Promise<RebuildPrimaryReport> {
  if (!o.confirm) throw new ProvisionerError('PROV_NOT_CONFIRMED', "rebuild-primary wipes the primary region's databases: it needs --yes")
  const poll: PollOptions = { attempts: o.pollAttempts ?? 60, intervalMs: o.pollIntervalMs ?? 5000, sleep: o.sleep ?? defaultSleep }
  const hosts = stackHosts(stack)
  const db = hosts.filter((h) => h.role === 'db')
  const dr = hosts.find((h) => h.role === 'dr-db')!
  const sessions = new Map<HostSpec, SshSession>()
  try {
    for (const h of [...db, dr]) sessions.set(h, await o.sessions({ host: h.ip, name: h.name }))
    const s = (h: HostSpec): SshSession => sessions.get(h)!
    if ((await restStatus(s(dr), dr.ip, '/primary')) !== '200') {
      throw new ProvisionerError('PROV_WRONG_STATE', `${dr.name} is not the primary: rebuild-primary runs after promote-dr`, { details: { host: dr.name } })
    }
    const dataDir = `/var/lib/postgresql/${stack.database.postgresMajor}/birthday`
    const pgCtl = `/usr/lib/postgresql/${stack.database.postgresMajor}/bin/pg_ctl`
    const wasPrimary: string[] = []
    for (const h of db) if ((await restStatus(s(h), h.ip, '/primary')) === '200') wasPrimary.push(h.name)
    // Replicas first: a leader stopped before them would hand its key to one of them (a promotion).
    for (const h of [...db.filter((x) => !wasPrimary.includes(x.name)), ...db.filter((x) => wasPrimary.includes(x.name))]) {
      // Stopping Patroni stops its PostgreSQL (KillMode=process); pg_ctl covers one Patroni left behind.
      await s(h).run(`systemctl stop ${PATRONI}`)
      await s(h).run(`if sudo -u postgres ${pgCtl} -D ${dataDir} status >/dev/null 2>&1; then sudo -u postgres ${pgCtl} -D ${dataDir} stop -m fast; fi`)
      await s(h).run(`rm -rf ${dataDir} && install -d -o postgres -g postgres -m 0700 ${dataDir}`)
    }
    // A new cluster bootstraps only where the DCS holds none (Patroni's `initialize` key).
    const endpoints = db.map((h) => `http://${h.ip}:2379`).join(',')
    await s(db[0]!).run(`etcdctl --endpoints=${endpoints} del --prefix /service/${stack.name}/ >/dev/null`)
    for (const h of db) {
      const file = patroniFile(hostPlan(stack, h, o.secrets, o, 'dr'))
      await s(h).writeFile(file.path, file.content, { mode: file.mode, owner: file.owner })
      // lets Patroni start while the DR host is the primary (units.ts, the region's fence); failBack removes it
      await s(h).writeFile(FOLLOWS_DR, `rebuilt by rebuild-primary as a standby cluster of ${dr.name}\n`, { mode: 0o644, owner: 'root:root' })
    }
    const [first, ...rest] = db as [HostSpec, ...HostSpec[]]
    await s(first).run(`systemctl start ${PATRONI}`)
    if (!(await pollUntil(async () => (await restStatus(s(first), first.ip, '/standby-leader')) === '200', poll))) {
      throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${first.name} did not become the standby leader of the rebuilt primary region`, { details: { host: first.name } })
    }
    for (const h of rest) await s(h).run(`systemctl start ${PATRONI}`)
    let last: unknown = null
    const streaming = await pollUntil(async () => {
      const members = await clusterMembers(s(first), first.ip)
      last = members ?? null
      return members !== undefined && members.length === db.length && members.every((m) => m.state === 'streaming')
    }, poll)
    if (!streaming) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `the rebuilt primary region is not streaming: ${JSON.stringify(last).slice(0, 400)}`, { details: { host: first.name } })
    return { rebuilt: db.map((h) => h.name), standbyLeader: first.name, wasPrimary }
  } finally {
    for (const x of sessions.values()) await x.close()
  }
}
