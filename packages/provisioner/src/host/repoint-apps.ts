import type { SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import type { LoadBalancer } from '../target.js'
import { APP_ENV, appEnv } from './app-env.js'
import { rollAppHost } from './deploy.js'
import { stackHosts, type Secrets } from './host-plan.js'
import type { PollOptions } from './poll.js'

/** What {@link repointApps} needs. */
export interface RepointOptions {
  readonly sessions: SshSessionFactory
  readonly loadBalancer: LoadBalancer
  readonly secrets: Secrets
  readonly poll: PollOptions
}

/**
 * Point every app host's `app.env` (`PATRONI_URLS`) at `dbIps` and restart the hosts whose file
 * changed, one at a time behind the load balancer (deregister, restart, `/readyz`, register).
 * Returns the hosts restarted; a host already pointing there is left alone.
 */
export async function repointApps(stack: Stack, o: RepointOptions, dbIps: readonly string[]): Promise<string[]> {
  const env = appEnv(stack, o.secrets, dbIps)
  const repointed: string[] = []
  for (const h of stackHosts(stack).filter((x) => x.role === 'app')) {
    const a = await o.sessions({ host: h.ip, name: h.name })
    try {
      if (!(await a.writeFile(APP_ENV, env, { mode: 0o600, owner: 'birthday:birthday' }))) continue
      await rollAppHost(stack, { loadBalancer: o.loadBalancer, session: a, host: h.name, poll: o.poll, restart: 'systemctl restart birthday-app.service' })
      repointed.push(h.name)
    } finally {
      await a.close()
    }
  }
  return repointed
}
