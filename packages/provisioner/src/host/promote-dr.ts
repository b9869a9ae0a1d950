import { defaultSleep } from '../targets/aws/clients.js'
import { ProvisionerError } from '../errors.js'
import type { SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import type { LoadBalancer } from '../target.js'
import { stackHosts, stanzaOf, type Secrets } from './host-plan.js'
import { patchDynamicConfig, restStatus } from './patroni-rest.js'
import { pollUntil } from './poll.js'
import { repointApps } from './repoint-apps.js'

/** Options of {@link promoteDr}. */
export interface PromoteDrOptions {
  readonly sessions: SshSessionFactory
  /** The app hosts restart behind it, one at a time, once they point at the DR cluster. */
  readonly loadBalancer: LoadBalancer
  /** The stack's secrets (the app's database password goes into app.env). */
  readonly secrets: Secrets
  /** The old primary is fenced (see the README); refused without it. */
  readonly confirm: boolean
  readonly sleep?: (ms: number) => Promise<void>
  readonly pollAttempts?: number
  readonly pollIntervalMs?: number
}

/** What {@link promoteDr} did. */
export interface PromoteDrReport {
  /** The DR host, now the primary. */
  readonly promoted: string
  /** App hosts that now point at it (rewritten and restarted; already pointing ones are skipped). */
  readonly repointed: readonly string[]
}

/**
 * Promote the DR standby cluster after the primary region is lost: remove `standby_cluster`
 * from its dynamic config (`PATCH /config`, basic auth from a 0600 netrc file), wait until it
 * answers `/primary` 200, create its stanza in its own repository (it archives there from now on), then point every app host at it: rewrite `app.env` (`PATRONI_URLS`) and restart the hosts one at a time behind the load balancer.
 * Fence the old primary first (see the README): this refuses without `confirm`.
 *
 * @example
 * ```ts
 * await promoteDr(stack, { sessions, loadBalancer: target.loadBalancer, secrets: await target.secrets.read(stack), confirm: true })
 * ```
 */
export async function promoteDr(stack: Stack, o: PromoteDrOptions): Promise<PromoteDrReport> {
  if (!o.confirm) throw new ProvisionerError('PROV_NOT_CONFIRMED', 'promote-dr needs --yes after the old primary is fenced (see README)')
  const poll = { attempts: o.pollAttempts ?? 60, intervalMs: o.pollIntervalMs ?? 5000, sleep: o.sleep ?? defaultSleep }
  const hosts = stackHosts(stack)
  const dr = hosts.find((h) => h.role === 'dr-db')!
  const s = await o.sessions({ host: dr.ip, name: dr.name })
  try {
    await patchDynamicConfig(s, dr.ip, { standby_cluster: null })
    const ok = await pollUntil(async () => (await restStatus(s, dr.ip, '/primary')) === '200', poll)
    if (!ok) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${dr.name} did not become primary`, { details: { host: dr.name } })
    // It now archives to a repository of its own (host-plan.ts, UPSTREAM_BACKREST_CONF): create its stanza there (idempotent).
    await s.run(`sudo -u postgres pgbackrest --stanza=${stanzaOf(stack)} stanza-create`)
  } finally {
    await s.close()
  }
  const repointed = await repointApps(stack, { ...o, poll }, [dr.ip])
  return { promoted: dr.name, repointed }
}
