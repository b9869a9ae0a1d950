import { getClusterMembers, probe, type PatroniClusterMember } from './patroni-rest.js'
import { queryOnce } from './pg-query.js'
import type { NodeLayout } from './layout.js'
import type { RestTls } from './rest-tls.js'

/** What the readiness check needs to know about the cluster. */
export interface ReadinessInput {
  /** Nodes whose Patroni is supposed to run (killed ones left out). */
  readonly nodes: readonly NodeLayout[]
  readonly synchronousMode: boolean
  readonly superuserConnectionString: (node: NodeLayout) => string
  readonly tls?: RestTls | undefined
}

/** Thrown by {@link checkReady} when only the sync standby is missing; names the leader. */
export class SyncNotReady extends Error {
  readonly leader: string

  constructor(leader: string) {
    super('no node answers /sync 200 yet')
    this.leader = leader
  }
}

/**
 * Throws unless `/cluster` (the members' own DCS records) lists every node of `nodes` with state
 * `running` (Patroni 3.0.2) or `streaming` (Patroni 4 shows a replica's replication state, and
 * `starting`, with no timeline and lag `unknown`, for a moment after its PostgreSQL already streams),
 * and lists `leader` on `timeline`, the one its PostgreSQL is on (after a promotion Patroni 4's
 * record showed the old timeline for a loop or two).
 */
export function assertListedRunning(members: readonly PatroniClusterMember[], nodes: readonly NodeLayout[],
  leader: { readonly name: string; readonly timeline: number }): void {
  const states = new Map(members.map((m) => [m.name, m.state]))
  const behind = nodes.filter((n) => !['running', 'streaming'].includes(states.get(n.name) ?? ''))
    .map((n) => `${n.name} (${states.get(n.name) ?? 'not listed'})`)
  if (behind.length > 0) throw new Error(`/cluster does not show ${behind.join(', ')} as running yet`)
  const listed = members.find((m) => m.name === leader.name)?.timeline
  if (listed !== leader.timeline) throw new Error(`/cluster shows leader ${leader.name} on timeline ${String(listed)}, its PostgreSQL is on ${leader.timeline}`)
}

/**
 * One readiness check (notes gotcha 6). Resolves with the leader's name when ready; otherwise
 * throws an Error saying what is missing, which `waitFor` reports on timeout:
 * exactly one node answers `GET /primary` 200; on it `pg_stat_replication` lists every other
 * running node by `application_name` with `state = 'streaming'` (rows are not counted:
 * pg_basebackup's WAL streams are `streaming` too); the leader's `/cluster` shows every running
 * node running and the leader on its current timeline (see {@link assertListedRunning}); with synchronous mode one node answers `/sync` 200.
 */
export async function checkReady(input: ReadinessInput): Promise<string> {
  const primaries = (await Promise.all(input.nodes.map(async (node) => ({ node, status: await probe(node.apiUrl, '/primary', 1000, input.tls) }))))
    .filter((p) => p.status === 200)
  if (primaries.length !== 1) throw new Error(`${primaries.length} nodes answer /primary 200, want exactly 1`)
  const leader = (primaries[0] as { node: NodeLayout }).node
  const rows = await queryOnce<{ application_name: string; state: string }>(input.superuserConnectionString(leader),
    'SELECT application_name, state FROM pg_catalog.pg_stat_replication')
  const streaming = new Set(rows.filter((r) => r.state === 'streaming').map((r) => r.application_name))
  const missing = input.nodes.filter((n) => n !== leader && !streaming.has(n.name)).map((n) => n.name)
  if (missing.length > 0) throw new Error(`${missing.join(', ')} not streaming from ${leader.name} yet`)
  const [{ timeline }] = await queryOnce<{ timeline: number }>(input.superuserConnectionString(leader),
    "SELECT ('x' || substr(pg_catalog.pg_walfile_name(pg_catalog.pg_current_wal_lsn()), 1, 8))::bit(32)::int AS timeline") as [{ timeline: number }]
  assertListedRunning(await getClusterMembers([leader.apiUrl], 1000, input.tls), input.nodes, { name: leader.name, timeline })
  const syncCandidates = input.nodes.filter((n) => n !== leader && !n.dr)
  if (input.synchronousMode && syncCandidates.length > 0) {
    const sync = await Promise.all(syncCandidates.map(async (n) => probe(n.apiUrl, '/sync', 1000, input.tls)))
    if (!sync.includes(200)) throw new SyncNotReady(leader.name)
  }
  return leader.name
}
