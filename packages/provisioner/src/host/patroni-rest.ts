import type { SshSession } from '../ssh/session.js'
import { CONF } from './install-scripts.js'

// Patroni's REST API, asked with curl from the host itself (it listens on the host's own address).
// Every call has a short client timeout: a frozen Patroni accepts TCP and never answers.

/** HTTP status of a Patroni REST endpoint (`000` when nothing answered). */
export async function restStatus(s: SshSession, ip: string, path: string): Promise<string> {
  const r = await s.run(`curl -s -m 3 -o /dev/null -w '%{http_code}' http://${ip}:8008${path} || true`)
  return r.stdout.trim()
}

/** One member of `GET /cluster` (https://patroni.readthedocs.io/en/latest/rest_api.html#cluster-status-endpoints). */
export interface ClusterMember {
  readonly name: string
  /** `leader`, `sync_standby`, `quorum_standby`, `replica`, `standby_leader` (3.0.2: also `leader` for a standby leader). */
  readonly role: string
  /** `running`, `streaming`, `in archive recovery`, `starting`, `stopped`… */
  readonly state: string
  readonly host?: string
  readonly timeline?: number
  readonly lag?: number | string
}

/** The members of `GET /cluster`, or `undefined` when the answer is not the expected JSON. */
export async function clusterMembers(s: SshSession, ip: string): Promise<readonly ClusterMember[] | undefined> {
  const r = await s.run(`curl -s -m 3 http://${ip}:8008/cluster || true`)
  try {
    const members = (JSON.parse(r.stdout) as { members?: unknown }).members
    return Array.isArray(members) ? (members as ClusterMember[]) : undefined
  } catch {
    return undefined
  }
}

/**
 * Is this member the leader of the primary cluster? `/cluster` says `leader`; node roles say `primary`
 * in Patroni 4 and `master` in 3.x (Patroni 4.0.0 release notes: "master" renamed to "primary"): all three count.
 */
export const isLeader = (m: ClusterMember): boolean => m.role === 'leader' || m.role === 'master' || m.role === 'primary'

/**
 * A planned switchover from `leader` to `candidate` (`POST /switchover`, basic auth from the
 * 0600 netrc file). Patroni answers 200 once done, 412 when `leader` is no longer the leader.
 */
export async function switchover(s: SshSession, ip: string, leader: string, candidate: string): Promise<void> {
  await s.run(
    `curl -sf -m 30 --netrc-file ${CONF}/rest.netrc -X POST -H 'Content-Type: application/json' -d '${JSON.stringify({ leader, candidate })}' http://${ip}:8008/switchover`,
  )
}

/** The cluster's dynamic configuration (`GET /config`), or `undefined` when nothing sensible answered. */
export async function dynamicConfig(s: SshSession, ip: string): Promise<unknown> {
  const r = await s.run(`curl -s -m 3 http://${ip}:8008/config || true`)
  try {
    return JSON.parse(r.stdout) as unknown
  } catch {
    return undefined
  }
}

/** Merge `patch` into the dynamic configuration (`PATCH /config`, basic auth from the 0600 netrc file; the body on stdin). */
export async function patchDynamicConfig(s: SshSession, ip: string, patch: object): Promise<void> {
  await s.run(`curl -sf -m 10 --netrc-file ${CONF}/rest.netrc -X PATCH -H 'Content-Type: application/json' --data-binary @- http://${ip}:8008/config >/dev/null`, {
    stdin: JSON.stringify(patch),
  })
}
