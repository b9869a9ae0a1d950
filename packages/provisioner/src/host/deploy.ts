import { basename } from 'node:path'
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import { DeregisterTargetsCommand, RegisterTargetsCommand, waitUntilTargetDeregistered, waitUntilTargetInService } from '@aws-sdk/client-elastic-load-balancing-v2'
import { defaultSleep, type ProgressEvent } from '../targets/aws/clients.js'
import { withRetry } from '../targets/aws/retry.js'
import { waitFor } from '../targets/aws/engine/create.js'
import { ProvisionerError } from '../errors.js'
import type { SshSessionFactory } from '../ssh/session.js'
import { shellQuote } from '../ssh/shell-quote.js'
import { pollUntil } from './configure.js'

/** One app host behind the target group. */
export interface AppTarget {
  readonly name: string
  readonly instanceId: string
  readonly ip: string
}

/** Options of {@link deployApp}. */
export interface DeployOptions {
  readonly elbv2: ElasticLoadBalancingV2Client
  readonly targetGroupArn: string
  readonly port: number
  readonly targets: readonly AppTarget[]
  readonly sessions: SshSessionFactory
  /** A local `.tar.gz` of the built service (with `main.js` at its root). */
  readonly artifact: string
  /** Release name, e.g. a git sha. */
  readonly version: string
  readonly sleep?: (ms: number) => Promise<void>
  readonly maxWaitSeconds?: number
  readonly pollAttempts?: number
  readonly pollIntervalMs?: number
  readonly onProgress?: (e: ProgressEvent) => void
}

/**
 * Rolling, no-downtime release, one host at a time: deregister and wait
 * until drained; upload and restart (the service drains on SIGTERM); wait
 * for `/readyz`; register and wait until healthy. Stops at the first host
 * that does not become healthy (`PROV_HOST_UNHEALTHY`), leaving the others
 * serving.
 *
 * @example
 * ```ts
 * await deployApp({ elbv2, targetGroupArn, port: 8080, targets, sessions, artifact: 'hello.tar.gz', version: 'abc123' })
 * ```
 */
export async function deployApp(o: DeployOptions): Promise<readonly string[]> {
  const sleep = o.sleep ?? defaultSleep
  const wait = o.maxWaitSeconds ?? 600
  const done: string[] = []
  const call = <T>(label: string, fn: () => Promise<T>) => withRetry(label, fn, { sleep })
  for (const t of o.targets) {
    const Targets = [{ Id: t.instanceId, Port: o.port }]
    const step = (detail: string) => o.onProgress?.({ event: 'deploy', key: t.name, detail })
    step('deregister')
    await call('DeregisterTargets', () => o.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: o.targetGroupArn, Targets })))
    await waitFor(`${t.name} deregistered`, () => waitUntilTargetDeregistered({ client: o.elbv2, maxWaitTime: wait }, { TargetGroupArn: o.targetGroupArn, Targets }))
    step('upload and restart')
    const s = await o.sessions({ host: t.ip, name: t.name })
    try {
      const remote = `/tmp/${basename(o.artifact)}`
      const dir = `/opt/birthday/releases/${o.version}`
      await s.uploadFile(o.artifact, remote)
      await s.run(
        `set -e; rm -rf ${shellQuote(dir)}; mkdir -p ${shellQuote(dir)}; tar -xzf ${shellQuote(remote)} -C ${shellQuote(dir)}; rm -f ${shellQuote(remote)}; ln -sfn ${shellQuote(dir)} /opt/birthday/current; systemctl enable birthday-app; systemctl restart birthday-app`,
      )
      step('wait for /readyz')
      const ready = await pollUntil(
        async () => (await s.run(`curl -s -m 3 -o /dev/null -w '%{http_code}' http://127.0.0.1:${o.port}/readyz || true`)).stdout.trim() === '200',
        { attempts: o.pollAttempts ?? 30, intervalMs: o.pollIntervalMs ?? 2000, sleep },
      )
      if (!ready) throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${t.name} did not answer /readyz after the release`, { details: { host: t.name, deployed: done } })
    } finally {
      await s.close()
    }
    step('register')
    await call('RegisterTargets', () => o.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: o.targetGroupArn, Targets })))
    await waitUntilTargetInService({ client: o.elbv2, maxWaitTime: wait }, { TargetGroupArn: o.targetGroupArn, Targets }).catch(
      /* c8 ignore next 3 */ // reaching the waiter's timeout takes > 15 s of real time (the SDK's minimum delay)
      (err: unknown) => {
        throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${t.name} did not become healthy in the target group`, { cause: err, details: { host: t.name, deployed: done } })
      },
    )
    done.push(t.name)
  }
  return done
}
