import { basename } from 'node:path'
import { defaultSleep, type ProgressEvent } from '../targets/aws/clients.js'
import { ProvisionerError } from '../errors.js'
import type { SshSession, SshSessionFactory } from '../ssh/session.js'
import { shellQuote } from '../ssh/shell-quote.js'
import type { Stack } from '../stack/schema.js'
import type { LoadBalancer } from '../target.js'
import { stackHosts } from './host-plan.js'
import { pollUntil, type PollOptions } from './poll.js'

/** Options of {@link deployApp}. */
export interface DeployOptions {
  /** SSH sessions to the app hosts (`Target.sessions`). */
  readonly sessions: SshSessionFactory
  /** Takes each host out while it restarts (`Target.loadBalancer`). */
  readonly loadBalancer: LoadBalancer
  /** A local `.tar.gz` of the built service (with `main.js` at its root). */
  readonly artifact: string
  /** Release name, e.g. a git sha. */
  readonly version: string
  readonly sleep?: (ms: number) => Promise<void>
  readonly pollAttempts?: number
  readonly pollIntervalMs?: number
  readonly onProgress?: (e: ProgressEvent) => void
}

/**
 * Take one app host out of the load balancer, run `restart` on it, wait for its `/readyz`, put
 * it back. Throws `PROV_HOST_UNHEALTHY` (the host stays out) when it does not become ready.
 */
export async function rollAppHost(
  stack: Stack,
  o: { readonly loadBalancer: LoadBalancer; readonly session: SshSession; readonly host: string; readonly restart: string; readonly poll: PollOptions; readonly step?: (detail: string) => void },
): Promise<void> {
  const step = o.step ?? (() => {})
  step('deregister')
  await o.loadBalancer.deregister(stack, o.host)
  step('upload and restart')
  await o.session.run(o.restart)
  step('wait for /readyz')
  const ready = await pollUntil(
    async () => (await o.session.run(`curl -s -m 3 -o /dev/null -w '%{http_code}' http://127.0.0.1:${stack.app.port}/readyz || true`)).stdout.trim() === '200',
    o.poll,
  )
  if (!ready) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${o.host} did not answer /readyz after the restart`, { details: { host: o.host } })
  step('register')
  await o.loadBalancer.register(stack, o.host)
}

/**
 * Rolling, no-downtime release. Hosts the load balancer does not count as healthy serve nobody, so
 * they are released first and all at once (on a first deploy that is every host); then the serving
 * hosts one at a time: deregister and wait until drained; upload and restart (the service drains on
 * SIGTERM); wait for `/readyz`; register and wait until healthy. Stops at the first host that does
 * not become healthy (`PROV_HOST_UNHEALTHY`, with the hosts already released in `details.deployed`),
 * leaving the others serving. Returns the hosts released, by the stack's names.
 *
 * @example
 * ```ts
 * await deployApp(stack, { sessions, loadBalancer: target.loadBalancer, artifact: 'hello.tar.gz', version: 'abc123' })
 * ```
 */
export async function deployApp(stack: Stack, o: DeployOptions): Promise<readonly string[]> {
  const poll = { attempts: o.pollAttempts ?? 30, intervalMs: o.pollIntervalMs ?? 2000, sleep: o.sleep ?? defaultSleep }
  const done = new Set<string>()
  const release = async (h: { readonly name: string; readonly ip: string }): Promise<void> => {
    const s = await o.sessions({ host: h.ip, name: h.name })
    try {
      const remote = `/tmp/${basename(o.artifact)}`
      const dir = `/opt/birthday/releases/${o.version}`
      await s.uploadFile(o.artifact, remote)
      await rollAppHost(stack, {
        loadBalancer: o.loadBalancer, session: s, host: h.name, poll,
        step: (detail) => o.onProgress?.({ event: 'deploy', key: h.name, detail }),
        restart: `set -e; rm -rf ${shellQuote(dir)}; mkdir -p ${shellQuote(dir)}; tar -xzf ${shellQuote(remote)} -C ${shellQuote(dir)}; rm -f ${shellQuote(remote)}; ln -sfn ${shellQuote(dir)} /opt/birthday/current; systemctl enable -q birthday-app.service; systemctl restart birthday-app.service`,
      })
    } finally {
      await s.close()
    }
    done.add(h.name)
  }
  const withDeployed = (err: unknown): unknown =>
    err instanceof ProvisionerError && err.code === 'PROV_HOST_UNHEALTHY'
      ? new ProvisionerError(err.code, err.message, { cause: err, details: { ...err.details, deployed: inStackOrder() } })
      : err
  const apps = stackHosts(stack).filter((x) => x.role === 'app')
  const inStackOrder = (): string[] => apps.map((h) => h.name).filter((n) => done.has(n))
  const health = await o.loadBalancer.health(stack)
  const idle = apps.filter((h) => health.get(h.name) !== 'healthy')
  const failed = (await Promise.allSettled(idle.map(release))).find((r) => r.status === 'rejected')
  if (failed !== undefined) throw withDeployed(failed.reason)
  for (const h of apps.filter((x) => !idle.includes(x))) {
    try {
      await release(h)
    } catch (err) {
      throw withDeployed(err)
    }
  }
  return inStackOrder()
}
