import { LocalClusterError } from './errors.js'
import { restCall } from './patroni-rest.js'
import type { RestTls } from './rest-tls.js'
import { waitFor } from './wait.js'

// Patroni 3.0.2 can wedge synchronous replication: after a frozen leader resumes, the DCS `/sync`
// key may be left naming that old leader, and the new leader then refuses to touch it
// ("Synchronous replication key updated by someone else", every loop) so no node ever becomes
// sync standby. Measured here under CPU load after hangLeader()+resume(); upstream worked on this
// family of stale-DCS-state bugs after 3.0.2 (issue patroni#2779, PRs #2689 and #2783). Turning
// synchronous_mode off deletes the key (the leader does that with a fresh index) and on again
// lets the leader write a new one: a supported API operation, not DCS surgery.

/** Patroni's `/sync` key: the leader that wrote it and its sync standby. */
export interface SyncKey {
  readonly leader: string | null
  readonly sync_standby: string | null
}

const b64 = (text: string): string => Buffer.from(text).toString('base64')

/** Reads `/service/<scope>/sync` through the first etcd v3 gateway that answers; undefined when the key is absent. */
export async function readSyncKey(etcdUrls: readonly string[], scope: string): Promise<SyncKey | undefined> {
  const errors: string[] = []
  for (const url of etcdUrls) {
    try {
      const res = await restCall(`${url}/v3/kv/range`, { method: 'POST', body: { key: b64(`/service/${scope}/sync`) }, timeoutMs: 1000 })
      const kv = (JSON.parse(res.body) as { kvs?: { value: string }[] }).kvs?.[0]
      return kv === undefined ? undefined : (JSON.parse(Buffer.from(kv.value, 'base64').toString('utf8')) as SyncKey)
    } catch (err) {
      errors.push((err as Error).message)
    }
  }
  throw new LocalClusterError('LC_REST_FAILED', `no etcd member answered: ${errors.join('; ')}`)
}

/** True when the `/sync` key exists and names a node other than the current leader (the wedge above). */
export function isSyncKeyStale(key: SyncKey | undefined, leader: string): boolean {
  return key !== undefined && key.leader !== null && key.leader !== leader
}

/** Options of {@link repairSyncKey}. */
export interface RepairSyncKeyOptions {
  readonly etcdUrls: readonly string[]
  readonly scope: string
  /** REST base URL of the current leader. */
  readonly leaderApiUrl: string
  readonly auth: { readonly username: string; readonly password: string }
  readonly tls?: RestTls | undefined
}

async function patchSyncMode(options: RepairSyncKeyOptions, on: boolean): Promise<void> {
  const res = await restCall(`${options.leaderApiUrl}/config`, {
    method: 'PATCH', body: { synchronous_mode: on }, auth: options.auth, timeoutMs: 5000, tls: options.tls,
  })
  if (res.status !== 200) {
    throw new LocalClusterError('LC_REST_FAILED', `PATCH /config synchronous_mode=${on} answered ${res.status}: ${res.body.slice(0, 200)}`)
  }
}

/** `PATCH /config {synchronous_mode: false}`, wait until the leader deleted `/sync`, then turn it back on. */
export async function repairSyncKey(options: RepairSyncKeyOptions): Promise<void> {
  await patchSyncMode(options, false)
  await waitFor('Patroni to delete the stale /sync key', async () =>
    (await readSyncKey(options.etcdUrls, options.scope)) === undefined, { timeoutMs: 15_000 })
  await patchSyncMode(options, true)
}
