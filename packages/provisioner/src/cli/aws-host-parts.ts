import { DeregisterTargetsCommand, RegisterTargetsCommand, waitUntilTargetDeregistered, waitUntilTargetInService } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { EngineDeps } from '../aws/clients.js'
import { withRetry } from '../aws/retry.js'
import { EngineContext } from '../engine/context.js'
import { waitFor } from '../engine/create.js'
import { discoverInto } from '../engine/plan.js'
import { ProvisionerError } from '../errors.js'
import { stackHosts } from '../host/host-plan.js'
import { desiredResources } from '../plan/desired.js'
import type { SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import type { LoadBalancer, SessionOptions, Target } from '../target.js'
import { awsTarget } from '../targets/aws/aws-target.js'

// The CLI's AWS target: `awsTarget` plus the load balancer and SSH sessions it does not wire yet
// (the AWS code is moving under targets/aws/ in parallel; once awsTarget has them, this goes).

async function discover(stack: Stack, deps: EngineDeps): Promise<EngineContext> {
  const ctx = new EngineContext(stack, deps)
  await discoverInto(ctx, desiredResources(stack))
  return ctx
}

/** The ALB's target group as a {@link LoadBalancer}, by the stack's host names. */
export function albLoadBalancer(deps: EngineDeps): LoadBalancer {
  const sleep = deps.sleep!
  const wait = deps.maxWaitSeconds ?? 600
  const targetOf = async (stack: Stack, host: string) => {
    const ctx = await discover(stack, deps)
    const tg = ctx.actual.get('primary/tg/app')
    if (tg === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', 'the target group does not exist yet: run apply first')
    const key = stackHosts(stack).find((h) => h.name === host)?.key
    const instance = key === undefined ? undefined : ctx.actual.get(key)
    if (instance === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', `the instance of ${host} does not exist yet: run apply first`, { details: { host } })
    return { elbv2: deps.clients.elbv2(stack.primary.region), input: { TargetGroupArn: tg.id, Targets: [{ Id: instance.id, Port: stack.app.port }] } }
  }
  return {
    async deregister(stack, host) {
      const { elbv2, input } = await targetOf(stack, host)
      await withRetry('DeregisterTargets', () => elbv2.send(new DeregisterTargetsCommand(input)), { sleep })
      await waitFor(`${host} deregistered`, () => waitUntilTargetDeregistered({ client: elbv2, maxWaitTime: wait }, input))
    },
    async register(stack, host) {
      const { elbv2, input } = await targetOf(stack, host)
      await withRetry('RegisterTargets', () => elbv2.send(new RegisterTargetsCommand(input)), { sleep })
      await waitUntilTargetInService({ client: elbv2, maxWaitTime: wait }, input).catch(
        /* c8 ignore next 3 */ // reaching the waiter's timeout takes > 15 s of real time (the SDK's minimum delay)
        (err: unknown) => {
          throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${host} did not become healthy in the target group`, { cause: err, details: { host } })
        },
      )
    },
    async health(stack) {
      const ctx = await discover(stack, deps)
      const states = new Map(((ctx.actual.get('primary/tg/app')?.facts['targets'] ?? []) as { id: string; state: string }[]).map((x) => [x.id, x.state]))
      const out = new Map<string, string>()
      for (const h of stackHosts(stack).filter((x) => x.role === 'app')) {
        const id = ctx.actual.get(h.key)?.id
        out.set(h.name, id === undefined ? 'missing' : (states.get(id) ?? 'unregistered'))
      }
      return out
    },
    async url(stack) {
      const dns = (await discover(stack, deps)).actual.get('primary/alb')?.facts['dnsName'] as string | undefined
      return dns === undefined ? undefined : `${stack.alb.listenerPort === 443 ? 'https' : 'http'}://${dns}${stack.alb.listenerPort === 443 || stack.alb.listenerPort === 80 ? '' : `:${stack.alb.listenerPort}`}`
    },
  }
}

/**
 * The AWS target the CLI uses: machines, networks and secrets from `awsTarget`, the ALB, and SSH
 * through the bastion's public address (`open` builds the session factory once that is known).
 */
export function cliAwsTarget(stack: Stack, deps: EngineDeps, open: (o: SessionOptions & { readonly bastion: string }) => SshSessionFactory): Target {
  return {
    ...awsTarget(deps),
    loadBalancer: albLoadBalancer(deps),
    async sessions(o) {
      const bastion = (await discover(stack, deps)).actual.get('primary/host/bastion')?.facts['publicIp'] as string | undefined
      if (bastion === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', 'the bastion does not exist yet: run apply first')
      return open({ ...o, bastion })
    },
  }
}
