import { defaultSleep, type ProgressEvent } from '../targets/aws/clients.js'
import { ProvisionerError } from '../errors.js'
import type { SshSession, SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import { hostPlan, stackHosts, stanzaOf, type HostPlan, type HostSpec, type Secrets } from './host-plan.js'

/** Options of {@link configureHosts}. */
export interface ConfigureOptions {
  readonly sessions: SshSessionFactory
  readonly secrets: Secrets
  readonly sleep?: (ms: number) => Promise<void>
  /** Poll interval for leadership and health (default 5 s). */
  readonly pollIntervalMs?: number
  /** Polls before giving up (default 60). */
  readonly pollAttempts?: number
  /** Print what would be done; skip waits and verification. */
  readonly dryRun?: boolean
  readonly onProgress?: (e: ProgressEvent) => void
}

/** What {@link configureHosts} changed. */
export interface ConfigureReport {
  /** `host:path` of every file that was (re)written. */
  readonly written: readonly string[]
  readonly leader: string
}

/** Poll `check` until it returns true, at most `attempts` times. */
export async function pollUntil(check: () => Promise<boolean>, o: { attempts: number; intervalMs: number; sleep: (ms: number) => Promise<void> }): Promise<boolean> {
  for (let i = 0; i < o.attempts; i++) {
    if (await check()) return true
    if (i < o.attempts - 1) await o.sleep(o.intervalMs)
  }
  return false
}

/** HTTP status of a Patroni REST endpoint, asked from the host itself (short client timeout). */
export async function restStatus(s: SshSession, ip: string, path: string): Promise<string> {
  const r = await s.run(`curl -s -m 3 -o /dev/null -w '%{http_code}' http://${ip}:8008${path} || true`)
  return r.stdout.trim()
}

async function each<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  await Promise.all(items.map(fn))
}

/**
 * Configure every host over SSH, in ordered idempotent steps:
 * 1 install packages; 2 upload configs (only changed files are rewritten);
 * 3 start etcd on the DB nodes; 4 start Patroni on the first node, wait for
 * leadership, then the replicas; 5 verify through the REST API (and start
 * the DR standby cluster, pgBackRest stanza, the app).
 *
 * @example
 * ```ts
 * const report = await configureHosts(stack, { sessions, secrets: await readSecrets(stack, { clients }) })
 * ```
 */
export async function configureHosts(stack: Stack, o: ConfigureOptions): Promise<ConfigureReport> {
  const sleep = o.sleep ?? defaultSleep
  const poll = { attempts: o.pollAttempts ?? 60, intervalMs: o.pollIntervalMs ?? 5000, sleep }
  const step = (detail: string) => o.onProgress?.({ event: 'step', detail })
  const plans = stackHosts(stack).map((h) => hostPlan(stack, h, o.secrets))
  const sessions = new Map<string, SshSession>()
  const written: string[] = []
  try {
    for (const p of plans) sessions.set(p.host.key, await o.sessions({ host: p.host.ip, name: p.host.name }))
    const s = (h: HostSpec): SshSession => sessions.get(h.key)!
    const byRole = (...roles: string[]): HostPlan[] => plans.filter((p) => roles.includes(p.host.role))
    const db = byRole('db')
    const dr = byRole('dr-db')[0]!

    step('1 install packages')
    await each(plans, async (p) => void (await s(p.host).run(p.install)))

    step('2 upload configs')
    const changed = new Map<string, boolean>()
    await each(plans, async (p) => {
      let any = false
      for (const f of p.files) {
        if (await s(p.host).writeFile(f.path, f.content, { mode: f.mode, owner: f.owner })) {
          written.push(`${p.host.name}:${f.path}`)
          any = true
        }
      }
      changed.set(p.host.key, any)
      if (any) await s(p.host).run('systemctl daemon-reload')
    })

    step('3 start etcd')
    await each([...db, dr], async (p) => void (await s(p.host).run('systemctl enable --now birthday-etcd')))

    step('4 start Patroni')
    const first = db[0]!
    await s(first.host).run('systemctl enable --now birthday-patroni')
    const leader = await waitLeader(db, s, o.dryRun === true, poll)
    for (const p of db.filter((x) => x !== first)) await s(p.host).run('systemctl enable --now birthday-patroni')
    // Reload Patroni where its config changed (a no-op when nothing changed).
    for (const p of db) if (changed.get(p.host.key) === true) await s(p.host).run('systemctl reload birthday-patroni')

    step('5 verify')
    if (o.dryRun !== true) await verifyCluster(stack, leader, db, s, poll)
    const stanza = stanzaOf(stack)
    await s(leader.host).run(`sudo -u postgres pgbackrest --stanza=${stanza} stanza-create && sudo -u postgres pgbackrest --stanza=${stanza} check`)
    for (const p of db) await s(p.host).run('systemctl enable --now birthday-backup.timer')
    await s(dr.host).run('systemctl enable --now birthday-patroni')
    if (o.dryRun !== true && !(await pollUntil(async () => (await restStatus(s(dr.host), dr.host.ip, '/standby-leader')) === '200', poll))) {
      throw new ProvisionerError('PROV_HOST_UNHEALTHY', `DR host ${dr.host.name} did not become the standby leader`, { details: { host: dr.host.name } })
    }
    for (const p of byRole('app')) await s(p.host).run('test ! -e /opt/birthday/current || systemctl enable --now birthday-app')
    return { written, leader: leader.host.name }
  } finally {
    for (const x of sessions.values()) await x.close()
  }
}

async function waitLeader(db: readonly HostPlan[], s: (h: HostSpec) => SshSession, dryRun: boolean, poll: Parameters<typeof pollUntil>[1]): Promise<HostPlan> {
  if (dryRun) return db[0]!
  let leader: HostPlan | undefined
  const ok = await pollUntil(async () => {
    for (const p of db) {
      if ((await restStatus(s(p.host), p.host.ip, '/primary')) === '200') {
        leader = p
        return true
      }
    }
    return false
  }, poll)
  if (!ok || leader === undefined) throw new ProvisionerError('PROV_NO_LEADER', 'no Patroni leader after bootstrap', { details: { hosts: db.map((p) => p.host.name) } })
  return leader
}

interface ClusterMember {
  readonly name: string
  readonly role: string
  readonly state: string
}

async function verifyCluster(stack: Stack, leader: HostPlan, db: readonly HostPlan[], s: (h: HostSpec) => SshSession, poll: Parameters<typeof pollUntil>[1]): Promise<void> {
  let last = ''
  const ok = await pollUntil(async () => {
    const r = await s(leader.host).run(`curl -s -m 3 http://${leader.host.ip}:8008/cluster || true`)
    last = r.stdout
    let members: ClusterMember[]
    try {
      members = (JSON.parse(r.stdout) as { members: ClusterMember[] }).members
    } catch {
      return false
    }
    const leaders = members.filter((m) => m.role === 'leader')
    const replicas = members.filter((m) => m.role !== 'leader' && (m.state === 'streaming' || m.state === 'running'))
    const sync = !stack.database.synchronousMode || members.some((m) => m.role === 'sync_standby')
    return leaders.length === 1 && replicas.length === db.length - 1 && sync
  }, poll)
  if (!ok) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `cluster not healthy: ${last.slice(0, 500)}`, { details: { host: leader.host.name } })
}
