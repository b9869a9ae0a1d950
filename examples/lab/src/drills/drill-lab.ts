/* c8 ignore start */ // real hosts: exercised by `npm run drills` and `npm run test:lab`; the parsers and the judging are unit-tested
import { stackStatus } from '@birthday-ha/provisioner'
import type { LabSession } from '../cli/lab-session.js'
import type { Lab } from '../lab.js'
import { pollFor } from '../poll.js'
import { lastPromotionAt, leaderOf, parseMembers, type PatroniMember } from './patroni-view.js'

/** The lab as the drills see it: Patroni's view, waits, and the rows each DB host holds. */
export interface DrillLab {
  readonly session: LabSession
  readonly lab: Lab
  /** The primary region's DB hosts. */
  readonly dbHosts: readonly string[]
  readonly log: (line: string) => void
  /** `GET /cluster` of `cluster`, asked on its DB hosts (not `avoid`) in turn; `undefined` when none answers. */
  members(cluster: 'primary' | 'dr', avoid?: readonly string[]): Promise<readonly PatroniMember[] | undefined>
  /** The primary cluster's leader (waits up to `timeoutMs`). */
  leader(timeoutMs?: number): Promise<string>
  /** Waits until a host other than `old` leads, as the other hosts see it; promotion is timed from `faultAt` by its `/history`. */
  newLeader(old: string, faultAt: number): Promise<{ readonly name: string; readonly promotionMs: number }>
  /** Polls `probe` every second until it returns a value; throws after `timeoutMs` with `what`. */
  waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T>
  /** Waits until `stackStatus` says healthy (one leader, streaming replicas, a sync standby, DR streaming, backups, apps). */
  waitHealthy(timeoutMs?: number): Promise<void>
  /** One SQL statement on `host` as the postgres user, unaligned (`psql -At`), fields split by a space. */
  sql(host: string, statement: string): Promise<string>
  /** username_key → date_of_birth for the users starting with `prefix`, as `host` holds them. */
  stored(host: string, prefix: string): Promise<Map<string, string>>
  /** Every host booted, thawed and healed, the DR link back at `drDelayMs`. */
  restore(drDelayMs: number): Promise<void>
}

export function drillLab(session: LabSession, log: (line: string) => void): DrillLab {
  const lab = session.target.lab
  const dbHosts = lab.plan.hosts.filter((h) => h.role === 'db').map((h) => h.name)
  const drHosts = lab.plan.hosts.filter((h) => h.role === 'dr-db').map((h) => h.name)
  const curl = async (host: string, path: string): Promise<string | undefined> => {
    const r = await lab.exec(host, ['curl', '-s', '-m', '2', `http://${lab.host(host).ip}:8008${path}`], { allowFail: true, timeoutMs: 5_000 }).catch(() => undefined)
    return r?.code === 0 ? r.stdout : undefined
  }
  const askAll = async (hosts: readonly string[]): Promise<(readonly PatroniMember[])[]> =>
    (await Promise.all(hosts.map(async (h) => parseMembers((await curl(h, '/cluster')) ?? '')))).filter((m) => m !== undefined)
  const x: DrillLab = {
    session, lab, dbHosts, log,
    async members(cluster, avoid = []) {
      const views = await askAll((cluster === 'primary' ? dbHosts : drHosts).filter((h) => !avoid.includes(h)))
      return views.find((v) => leaderOf(v) !== undefined) ?? views[0]
    },
    leader: (timeoutMs = 60_000) => x.waitFor('a primary leader', timeoutMs, async () => {
      const m = await x.members('primary')
      return m === undefined ? undefined : leaderOf(m)?.name
    }),
    async newLeader(old, faultAt) {
      const name = await x.waitFor(`a leader other than ${old}`, 120_000, async () => {
        // every other host must agree: a lone view can be stale while the leader key expires
        const views = await askAll(dbHosts.filter((h) => h !== old))
        const leaders = new Set(views.map((v) => leaderOf(v)?.name))
        const [only] = [...leaders]
        return views.length > 0 && leaders.size === 1 && only !== undefined && only !== old ? only : undefined
      })
      const at = await x.waitFor(`${name}'s /history`, 30_000, async () => {
        const t = lastPromotionAt((await curl(name, '/history')) ?? '')
        return t !== undefined && t >= faultAt - 1_000 ? t : undefined
      })
      return { name, promotionMs: Math.max(0, at - faultAt) }
    },
    waitFor: (what, timeoutMs, probe) => pollFor(what, timeoutMs, 1_000, probe),
    async waitHealthy(timeoutMs = 240_000) {
      let last = ''
      await x.waitFor('healthy stack', timeoutMs, async () => {
        const s = await stackStatus(session.stack, { sessions: await session.sessions(), loadBalancer: session.target.loadBalancer }).catch((err: unknown) => ({ healthy: false, problems: [String(err)] }))
        const problems = s.problems.join('; ')
        if (!s.healthy && problems !== last) log(`  waiting for a healthy stack: ${problems}`)
        last = problems
        return s.healthy ? true : undefined
      })
    },
    async sql(host, statement) {
      const r = await lab.exec(host, ['runuser', '-u', 'postgres', '--', 'psql', '-h', '/var/run/birthday-ha', '-d', session.stack.database.name, '-At', '-F', ' ', '-c', statement], { timeoutMs: 30_000 })
      return r.stdout
    },
    async stored(host, prefix) {
      // the prefix is the drill's own letters (usernames are \p{L}+): nothing to quote
      const out = await x.sql(host, `SELECT username_key, date_of_birth::text FROM birthdays WHERE username_key LIKE '${prefix}%'`)
      return new Map(out.split('\n').filter((l) => l !== '').map((l) => l.split(' ') as [string, string]))
    },
    async restore(drDelayMs) {
      for (const m of await lab.machines()) {
        if (m.state === 'frozen') await lab.thaw(m.name)
        if (m.state === 'stopped') await lab.boot(m.name)
      }
      await lab.heal()
      await lab.delayDr(drDelayMs)
    },
  }
  return x
}
/* c8 ignore stop */
