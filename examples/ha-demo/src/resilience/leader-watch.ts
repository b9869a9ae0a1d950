import type { LocalCluster } from '@birthday-ha/local-cluster'
import { httpGet } from '../http-get.js'

/** A change of who answers `GET /primary` 200: a member name, or null while none (or several) does. */
export interface LeaderChange {
  readonly at: number
  readonly leader: string | null
}

/** A background poll of every member's `/primary`, recording each change; see {@link watchLeader}. */
export interface LeaderWatch {
  readonly changes: readonly LeaderChange[]
  /** The first time a member other than `name` was leader at or after `since`, or undefined. */
  firstLeaderOtherThan(name: string, since: number): LeaderChange | undefined
  stop(): Promise<void>
}

/** The leader sequence without the null gaps: `pg1 → pg2 → pg1` shows a leader coming back. */
export function leaderSequence(changes: readonly LeaderChange[]): string[] {
  const names: string[] = []
  for (const c of changes) if (c.leader !== null && names.at(-1) !== c.leader) names.push(c.leader)
  return names
}

/**
 * Polls `GET /primary` on every member every `intervalMs` (400 ms timeout each: a frozen Patroni
 * never answers) and records each change of leader. Members are named from `/cluster` at start.
 */
export async function watchLeader(cluster: LocalCluster, intervalMs = 100): Promise<LeaderWatch> {
  const members = (await cluster.status()).map((m) => ({ name: m.name, url: m.apiUrl }))
  const changes: LeaderChange[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      const started = Date.now()
      const answers = await Promise.all(members.map(async (m) => (await httpGet(`${m.url}/primary`, 400)).status === 200))
      const leaders = members.filter((_, i) => answers[i] === true)
      const leader = leaders.length === 1 ? (leaders[0] as { name: string }).name : null
      if (changes.at(-1)?.leader !== leader || changes.length === 0) changes.push({ at: started, leader })
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))))
    }
  })()
  return {
    changes,
    firstLeaderOtherThan: (name, since) => changes.find((c) => c.at >= since && c.leader !== null && c.leader !== name),
    stop: async () => { running = false; await loop },
  }
}
