// The lab's primary cluster as the failover benchmark's rounds see it (`BenchCluster`), asked over
// Patroni's REST API from inside an app host's network namespace, where the bench's worker runs.
import type { BenchCluster, BenchMember, Credentials } from '@birthday-ha/local-cluster/bench'
import { pollFor } from '../poll.js'
import { leaderOf, parseMembers, syncStandbyOf, type PatroniMember } from '../drills/patroni-view.js'

/** A primary DB host: its name (the Patroni member name) and its private address. */
export interface BenchDbHost {
  readonly name: string
  readonly ip: string
}

/** Options of {@link labBenchCluster}. */
export interface LabClusterOptions {
  /** Patroni's REST port on every DB host. Default 8008, the stack's. */
  readonly restPort?: number
  /** How long `leader()` waits for a majority to name one. Default 60 s. */
  readonly leaderTimeoutMs?: number
  /** How long `waitReady()` waits. Default 240 s (a rejoin after a partition may need pg_rewind). */
  readonly readyTimeoutMs?: number
  /** Between two polls. Default 500 ms. */
  readonly pollMs?: number
}

/**
 * The leader the majority of the members' `GET /cluster` views name: during a partition the cut-off
 * leader's own view is stale until its key expires, so one view is not enough.
 */
export function majorityLeader(views: readonly (readonly PatroniMember[] | undefined)[], of: number): string | undefined {
  const counts = new Map<string, number>()
  for (const v of views) {
    const name = v === undefined ? undefined : leaderOf(v)?.name
    if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1)
  }
  return [...counts].find(([, n]) => n > of / 2)?.[0]
}

/** Ready: one leader running, every other member streaming on its timeline, one of them the sync standby. */
export function isReady(members: readonly PatroniMember[], size: number): boolean {
  const leader = leaderOf(members)
  if (leader === undefined || leader.state !== 'running' || members.length !== size) return false
  const replicas = members.filter((m) => m !== leader)
  return syncStandbyOf(members) !== undefined && replicas.every((m) => m.state === 'streaming' && (leader.timeline === undefined || m.timeline === leader.timeline))
}

export function labBenchCluster(db: readonly BenchDbHost[], creds: Credentials, o: LabClusterOptions = {}): BenchCluster {
  const members: BenchMember[] = db.map((h) => ({ name: h.name, host: h.ip, port: 5432, apiUrl: `http://${h.ip}:${o.restPort ?? 8008}` }))
  const view = async (m: BenchMember): Promise<readonly PatroniMember[] | undefined> => {
    const res = await fetch(`${m.apiUrl}/cluster`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined)
    return res === undefined ? undefined : parseMembers(await res.text().catch(() => ''))
  }
  const views = (): Promise<(readonly PatroniMember[] | undefined)[]> => Promise.all(members.map(view))
  const poll = <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> => pollFor(what, timeoutMs, o.pollMs ?? 500, probe)
  return {
    patroniUrls: members.map((m) => m.apiUrl),
    creds,
    members: async () => members,
    leader: () => poll('leader named by a majority of the DB hosts', o.leaderTimeoutMs ?? 60_000, async () => {
      const name = majorityLeader(await views(), members.length)
      return members.find((m) => m.name === name)
    }),
    waitReady: async () => {
      await poll('ready cluster (one leader, the others streaming, a sync standby)', o.readyTimeoutMs ?? 240_000, async () => {
        const vs = await views()
        const name = majorityLeader(vs, members.length)
        // Every view that names the leader must see it ready (they read the same DCS, a moment apart).
        const agreed = vs.filter((v): v is readonly PatroniMember[] => v !== undefined && leaderOf(v)?.name === name)
        return name !== undefined && agreed.every((v) => isReady(v, members.length)) ? true : undefined
      })
    },
    connectionString: (m) => `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@${m.host}:${m.port}/${encodeURIComponent(creds.database)}`,
  }
}
