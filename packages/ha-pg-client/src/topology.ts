import type { PatroniMember, PrimaryAnswer, RestResult } from './patroni-api.js'

/** Roles Patroni uses for the member that holds the leader key (3.0.2 says `leader`, `/patroni` says `master`). */
const LEADER_ROLES = new Set(['leader', 'master', 'primary'])
/** Roles of streaming standbys that may serve reads. */
const REPLICA_ROLES = new Set(['replica', 'sync_standby', 'quorum_standby', 'standby', 'standby_leader'])
const SERVING_STATES = new Set(['running', 'streaming'])
/** Roles a `GET /primary` answer gives the primary (3.0.2 says `master`, 4.x `primary`). */
const PRIMARY_ROLES = new Set(['master', 'primary'])

/** What one round of `GET /cluster` answers says about leadership. */
export type LeaderDecision =
  | { readonly kind: 'candidate'; readonly member: PatroniMember; readonly votes: number; readonly unanimous: boolean }
  | { readonly kind: 'none'; readonly reason: 'unreachable' | 'dcs-unavailable' | 'no-leader' | 'ambiguous' | 'standby-cluster' }

interface Claim {
  member: PatroniMember
  votes: number
  timeline: number
}

/**
 * Picks the leader candidate from the `/cluster` views of several members. Split answers never flap:
 * the claim with the higher timeline wins, then the one more views agree on; a tie is `ambiguous`
 * and the caller waits for the next round. Pure and deterministic.
 */
export function decideLeader(views: readonly RestResult<{ members?: PatroniMember[] }>[]): LeaderDecision {
  const answered = views.filter((v) => v.ok)
  if (answered.length === 0) {
    // Patroni answers 5xx on /cluster while its DCS is unreachable; no answer at all is a network problem.
    const httpAnswers = views.filter((v) => !v.ok && v.status !== undefined && v.status >= 500)
    return { kind: 'none', reason: httpAnswers.length > 0 && httpAnswers.length * 2 > views.length ? 'dcs-unavailable' : 'unreachable' }
  }
  const claims = new Map<string, Claim>()
  for (const view of answered) {
    for (const member of view.body.members ?? []) {
      if (!LEADER_ROLES.has(member.role)) continue
      const claim = claims.get(member.name) ?? { member, votes: 0, timeline: -1 }
      claim.votes += 1
      const timeline = member.timeline ?? -1
      if (timeline > claim.timeline) {
        claim.timeline = timeline
        claim.member = member
      }
      claims.set(member.name, claim)
    }
  }
  const ranked = [...claims.values()].sort((a, b) => b.timeline - a.timeline || b.votes - a.votes)
  const [best, second] = ranked
  // A standby cluster's leader (Patroni's `standby_leader`) replicates from another cluster: no writes here.
  if (best === undefined) return { kind: 'none', reason: answered.some((v) => v.body.members?.some((m) => m.role === 'standby_leader') === true) ? 'standby-cluster' : 'no-leader' }
  if (second !== undefined && second.timeline === best.timeline && second.votes === best.votes) return { kind: 'none', reason: 'ambiguous' }
  return { kind: 'candidate', member: best.member, votes: best.votes, unanimous: claims.size === 1 && best.votes === answered.length }
}

/**
 * Members that may serve reads with at most `maxLagBytes` of lag, least lagging first. The lag is
 * Patroni 4's `replay_lag` (what a read on the replica actually sees) when listed, else `lag` (3.x:
 * the member's WAL position, received or replayed, behind the leader's). Members tagged
 * `noloadbalance` (Patroni's tag for members kept out of read load balancing) never qualify.
 */
export function readableReplicas(members: readonly PatroniMember[], maxLagBytes: number): PatroniMember[] {
  return members
    .filter((m) => REPLICA_ROLES.has(m.role) && SERVING_STATES.has(m.state) && m.host !== undefined && m.port !== undefined)
    .filter((m) => !isTrue(m.tags?.noloadbalance))
    .filter((m) => typeof replayLag(m) === 'number' && (replayLag(m) as number) <= maxLagBytes)
    .sort((a, b) => (replayLag(a) as number) - (replayLag(b) as number))
}

function replayLag(m: PatroniMember): number | string | undefined {
  return m.replay_lag ?? m.lag
}

/** Patroni parses tags as YAML booleans: `true`, or strings such as "on"/"yes"/"true". */
function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && /^(true|on|yes|y|1)$/i.test(value))
}

/** Whether `view` lists the member whose REST base URL is `apiUrl` as the leader. */
export function namesLeader(view: RestResult<{ members?: PatroniMember[] }>, apiUrl: string): boolean {
  return view.ok && (view.body.members ?? []).some((m) => LEADER_ROLES.has(m.role) && m.api_url !== undefined && apiBase(m.api_url) === apiUrl)
}

/** Every REST base URL a view mentions (`api_url` is `http://host:port/patroni`; we keep the origin). */
export function learnedApiUrls(views: readonly RestResult<{ members?: PatroniMember[] }>[]): string[] {
  const urls: string[] = []
  for (const view of views) {
    if (!view.ok) continue
    for (const member of view.body.members ?? []) if (member.api_url !== undefined) urls.push(apiBase(member.api_url))
  }
  return urls
}

/** `http://127.0.0.1:8008/patroni` → `http://127.0.0.1:8008/`. */
export function apiBase(apiUrl: string): string {
  return new URL('/', apiUrl).toString()
}

/**
 * Whether a `/primary` answer says the member is the primary. Patroni answers 200 as soon as the member
 * holds the key (`Ha.is_leader()`), with role `replica` until its PostgreSQL is out of recovery
 * (patroni/api.py, `do_GET`; measured on 4.0.7: 100–200 ms).
 */
export function promoted(answer: RestResult<PrimaryAnswer>): boolean {
  return answer.ok && PRIMARY_ROLES.has(answer.body.role ?? 'master')
}
