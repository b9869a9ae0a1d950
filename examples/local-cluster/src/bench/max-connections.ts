// A bench's cluster with more connections than PostgreSQL's default allows (bench:fleet, bench:failover, bench:lab).
import { setTimeout as sleep } from 'node:timers/promises'
import type { LocalCluster } from '../index.js'
import { restCall } from '../patroni-rest.js'

/** A Patroni cluster whose configuration a bench may change: its members' REST URLs, leader first, and its REST credentials. */
export interface ConfigurableCluster {
  readonly leaderUrl: string
  readonly replicaUrls: readonly string[]
  readonly auth: { readonly username: string; readonly password: string }
  waitReady(): Promise<void>
}

/**
 * Raises `max_connections` on every member to `value` unless `GET /config` shows at least that: a bench's
 * clients (five writers' pools of 20, or a fleet's, plus those of the phase before, still closing) pass
 * PostgreSQL's default of 100, and the writer that opens the 98th session gets 53300. Patroni keeps
 * `max_connections` in the DCS (it must match on every member), so: `PATCH /config`, then `POST /restart`
 * of the replicas before the leader, because a hot standby refuses to run with a lower value than its
 * primary's (PostgreSQL docs, "Hot Standby": "Administrator's Overview").
 */
export async function ensureMaxConnections(cluster: ConfigurableCluster, value: number, log: (line: string) => void): Promise<void> {
  const { auth } = cluster
  const shown = await restCall(`${cluster.leaderUrl}/config`, { auth, timeoutMs: 10_000 })
  const current = Number((JSON.parse(shown.status === 200 ? shown.body : '{}') as { postgresql?: { parameters?: { max_connections?: unknown } } }).postgresql?.parameters?.max_connections)
  if (current >= value) return
  const patched = await restCall(`${cluster.leaderUrl}/config`, { method: 'PATCH', auth, body: { postgresql: { parameters: { max_connections: value } } }, timeoutMs: 10_000 })
  if (patched.status !== 200) throw new Error(`PATCH /config max_connections=${value}: HTTP ${patched.status} ${patched.body}`)
  await sleep(3_000) // each Patroni applies the new config in its next loop (loop_wait 1 s)
  for (const url of [...cluster.replicaUrls, cluster.leaderUrl]) {
    const res = await restCall(`${url}/restart`, { method: 'POST', auth, body: {}, timeoutMs: 120_000 })
    if (res.status !== 200) throw new Error(`POST ${url}/restart: HTTP ${res.status} ${res.body}`)
    log(`restarted ${url} with max_connections ${value}`)
  }
  await cluster.waitReady()
}

/** {@link ensureMaxConnections} on a local cluster. */
export async function raiseMaxConnections(cluster: LocalCluster, value: number, log: (line: string) => void): Promise<void> {
  const leader = await cluster.leader()
  const members = await cluster.status()
  await ensureMaxConnections({
    leaderUrl: leader.apiUrl,
    replicaUrls: members.filter((m) => m.name !== leader.name).map((m) => m.apiUrl),
    auth: cluster.credentials.restApi,
    waitReady: () => cluster.waitReady({ timeoutMs: 240_000 }),
  }, value, log)
}
