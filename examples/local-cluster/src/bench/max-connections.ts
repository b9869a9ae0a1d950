// A bench's cluster with more connections than PostgreSQL's default allows (bench:fleet, bench:failover).
import { setTimeout as sleep } from 'node:timers/promises'
import type { LocalCluster } from '../index.js'
import { restCall } from '../patroni-rest.js'

/**
 * Raises `max_connections` on every member: a bench's clients (each keeping a connection to the leader,
 * or several writers' pools plus those of the phase before, still closing) pass PostgreSQL's default of 100.
 * Patroni keeps `max_connections` in the DCS (it must match on every member), so: `PATCH /config`,
 * then `POST /restart` of the replicas before the leader, because a hot standby refuses to run with a
 * lower value than its primary's (PostgreSQL docs, "Hot Standby": "Administrator's Overview").
 */
export async function raiseMaxConnections(cluster: LocalCluster, value: number, log: (line: string) => void): Promise<void> {
  const auth = cluster.credentials.restApi
  const leader = await cluster.leader()
  const patched = await restCall(`${leader.apiUrl}/config`, { method: 'PATCH', auth, body: { postgresql: { parameters: { max_connections: value } } }, timeoutMs: 10_000 })
  if (patched.status !== 200) throw new Error(`PATCH /config max_connections=${value}: HTTP ${patched.status} ${patched.body}`)
  await sleep(3_000) // each Patroni applies the new config in its next loop (loop_wait 1 s)
  const members = await cluster.status()
  for (const m of [...members.filter((m) => m.name !== leader.name), leader]) {
    const res = await restCall(`${m.apiUrl}/restart`, { method: 'POST', auth, body: {}, timeoutMs: 120_000 })
    if (res.status !== 200) throw new Error(`POST ${m.name}/restart: HTTP ${res.status} ${res.body}`)
    log(`restarted ${m.name} with max_connections ${value}`)
  }
  await cluster.waitReady({ timeoutMs: 240_000 })
}
