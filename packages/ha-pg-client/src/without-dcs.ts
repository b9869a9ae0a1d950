import type { LeaderEpoch } from './lease.js'
import type { PatroniApi, PatroniMember, RestResult } from './patroni-api.js'
import { quorumSettled } from './quorum-settled.js'
import { apiBase, type LeaderDecision } from './topology.js'

/**
 * What a round decides when no member answered `/cluster`. Patroni 3.0.2 cannot answer it without its
 * DCS (the request fails or hangs), but `/primary` still answers from the node's own state. With
 * `failsafe_mode` the leader keeps its role (and answers 200) while it reaches every member: it stays
 * the candidate. If a majority answers `/primary` at all, the members are up and their DCS is not:
 * `dcs-unavailable`.
 */
export async function decideWithoutDcs(api: Pick<PatroniApi, 'primary'>, urls: readonly string[], views: readonly RestResult<unknown>[], members: readonly PatroniMember[], leader: LeaderEpoch | undefined): Promise<LeaderDecision> {
  const { results: answers } = await quorumSettled(urls.map((url) => api.primary(url)))
  const known = new Map(members.filter((m) => m.api_url !== undefined).map((m) => [apiBase(m.api_url as string), m] as const))
  if (leader !== undefined) known.set(leader.apiUrl, { name: leader.name, role: 'leader', state: 'running', api_url: leader.apiUrl, host: leader.host, port: leader.port, timeline: leader.timeline })
  const primary = urls.findIndex((url, i) => answers[i]?.ok === true && known.has(url))
  if (primary >= 0) return { kind: 'candidate', member: known.get(urls[primary] as string) as PatroniMember, votes: 0, unanimous: false }
  // Only a node's own answer about its role counts (200 primary, 503 not): a 401 or 404 says nothing about
  // its DCS, and counting it turned a refused password into "DCS unavailable" (HAPG_NO_LEADER).
  const answered = answers.filter((a) => a.ok || a.status === 503).length
  // `/cluster` that merely timed out (busy members racing for the key while the leader is frozen) says
  // nothing about the DCS: keep waiting. Only refused, closed or 5xx answers from a majority do.
  const slow = views.filter((v) => !v.ok && v.timedOut === true).length
  return { kind: 'none', reason: answered * 2 > urls.length && slow * 2 <= views.length ? 'dcs-unavailable' : 'unreachable' }
}
