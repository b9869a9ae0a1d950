// What the drills read from Patroni's REST API (asked from inside the DB hosts: the lab's 10.x
// addresses are not routed to this machine). Pure parsers; the asking is in drill-lab.ts.

/** One member of `GET /cluster` (https://patroni.readthedocs.io/en/latest/rest_api.html#cluster-status-endpoints). */
export interface PatroniMember {
  readonly name: string
  /** `leader`, `sync_standby`, `replica`, `standby_leader`… */
  readonly role: string
  /** `running`, `streaming`, `stopped`… */
  readonly state: string
  readonly timeline?: number
  /** Replay lag in bytes (or `unknown`). */
  readonly lag?: number | string
}

/** The members of a `GET /cluster` body, or `undefined` when it is not the expected JSON. */
export function parseMembers(body: string): readonly PatroniMember[] | undefined {
  try {
    const members = (JSON.parse(body) as { members?: unknown }).members
    return Array.isArray(members) ? (members as PatroniMember[]) : undefined
  } catch {
    return undefined
  }
}

/** The member holding the leader key (`leader`; `standby_leader` in a standby cluster), if any. */
export const leaderOf = (members: readonly PatroniMember[]): PatroniMember | undefined =>
  members.find((m) => m.role === 'leader' || m.role === 'standby_leader')

/** The synchronous standby, if any. */
export const syncStandbyOf = (members: readonly PatroniMember[]): PatroniMember | undefined => members.find((m) => m.role === 'sync_standby')

/**
 * When the newest timeline began, in epoch ms, from a `GET /history` body: a list of
 * `[timeline, lsn, reason, timestamp, new_leader]` (https://patroni.readthedocs.io/en/latest/rest_api.html#history-endpoint).
 * `undefined` for an empty history (no promotion yet) or an unexpected body.
 */
export function lastPromotionAt(body: string): number | undefined {
  try {
    const history = JSON.parse(body) as unknown
    if (!Array.isArray(history) || history.length === 0) return undefined
    const last = history[history.length - 1] as unknown
    const at = Array.isArray(last) && typeof last[3] === 'string' ? Date.parse(last[3]) : Number.NaN
    return Number.isNaN(at) ? undefined : at
  } catch {
    return undefined
  }
}
