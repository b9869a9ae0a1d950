import { defaultSleep } from '../targets/aws/clients.js'
import { ProvisionerError } from '../errors.js'
import type { SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import { pollUntil, restStatus } from './configure.js'
import { stackHosts } from './host-plan.js'

/**
 * Promote the DR standby cluster after the primary region is lost: remove
 * `standby_cluster` from its dynamic config (`PATCH /config`, basic auth
 * from a 0600 netrc file) and wait until it answers `/primary` 200.
 * Fence the old primary first (see the README): this refuses without `confirm`.
 */
export async function promoteDr(
  stack: Stack,
  o: { readonly sessions: SshSessionFactory; readonly confirm: boolean; readonly sleep?: (ms: number) => Promise<void>; readonly pollAttempts?: number },
): Promise<void> {
  if (!o.confirm) throw new ProvisionerError('PROV_NOT_CONFIRMED', 'promote-dr needs --yes after the old primary is fenced (see README)')
  const dr = stackHosts(stack).find((h) => h.role === 'dr-db')!
  const s = await o.sessions({ host: dr.ip, name: dr.name })
  try {
    await s.run(
      `curl -sf -m 10 --netrc-file /etc/birthday-ha/rest.netrc -X PATCH -H 'Content-Type: application/json' -d '{"standby_cluster":null}' http://${dr.ip}:8008/config`,
    )
    const ok = await pollUntil(async () => (await restStatus(s, dr.ip, '/primary')) === '200', { attempts: o.pollAttempts ?? 60, intervalMs: 5000, sleep: o.sleep ?? defaultSleep })
    if (!ok) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${dr.name} did not become primary`, { details: { host: dr.name } })
  } finally {
    await s.close()
  }
}
