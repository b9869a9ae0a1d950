import {
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { ProvisionerError } from '../../errors.js'
import type { LoadBalancer } from '../../target.js'
import type { Stack } from '../../stack/schema.js'
import type { EngineDeps } from './clients.js'
import { EngineContext } from './engine/context.js'
import { outcome, pollUntil } from './engine/waiters.js'
import { listMachines } from './machines.js'
import { errorName } from './retry.js'

/**
 * The ALB as a {@link LoadBalancer}: targets of the stack's target group by
 * host name, with bounded polling of `DescribeTargetHealth`
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html).
 */
export function albLoadBalancer(deps: EngineDeps): LoadBalancer {
  const elb = (stack: Stack) => deps.clients.elbv2(stack.primary.region)
  const targetGroup = async (ctx: EngineContext): Promise<string> => {
    const name = `${ctx.stack.name}-app`
    const r = await ctx.call('DescribeTargetGroups', () => elb(ctx.stack).send(new DescribeTargetGroupsCommand({ Names: [name] }))).catch((err: unknown) => {
      if (errorName((err as Error).cause) === 'TargetGroupNotFoundException') throw new ProvisionerError('PROV_MISSING_RESOURCE', `target group ${name} does not exist yet: run apply first`, { cause: err })
      throw err
    })
    return r.TargetGroups![0]!.TargetGroupArn!
  }
  const instanceOf = async (stack: Stack, host: string): Promise<string> => {
    const m = (await listMachines(stack, deps)).find((x) => x.name === host && x.role === 'app')
    if (m === undefined || m.state === 'missing') throw new ProvisionerError('PROV_MISSING_RESOURCE', `app host ${host} does not exist`, { details: { host } })
    return m.id
  }
  const stateOf = async (ctx: EngineContext, arn: string, id: string): Promise<string | undefined> => {
    const r = await ctx.call('DescribeTargetHealth', () => elb(ctx.stack).send(new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets: [{ Id: id, Port: ctx.stack.app.port }] })))
    return r.TargetHealthDescriptions?.[0]?.TargetHealth?.State
  }
  const move = async (stack: Stack, host: string, register: boolean): Promise<void> => {
    const ctx = new EngineContext(stack, deps)
    const arn = await targetGroup(ctx)
    const id = await instanceOf(stack, host)
    const Targets = [{ Id: id, Port: stack.app.port }]
    const input = { TargetGroupArn: arn, Targets }
    await ctx.call(register ? 'RegisterTargets' : 'DeregisterTargets', () => elb(stack).send(register ? new RegisterTargetsCommand(input) : new DeregisterTargetsCommand(input)))
    const want = register ? 'healthy' : 'unused'
    await pollUntil(ctx, `${host} ${want} in ${stack.name}-app`, async () => outcome(await stateOf(ctx, arn, id), [want]), host).catch((err: unknown) => {
      if (!register) throw err
      throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${host} did not become healthy in the target group`, { cause: err, details: { host } })
    })
  }
  return {
    register: (stack, host) => move(stack, host, true),
    deregister: (stack, host) => move(stack, host, false),
    async health(stack) {
      const ctx = new EngineContext(stack, deps)
      const arn = await targetGroup(ctx)
      const apps = (await listMachines(stack, deps)).filter((m) => m.role === 'app')
      const r = await ctx.call('DescribeTargetHealth', () => elb(stack).send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })))
      const byId = new Map(r.TargetHealthDescriptions!.map((t) => [t.Target!.Id!, t.TargetHealth!.State!]))
      return new Map(apps.map((m) => [m.name, byId.get(m.id) ?? 'unused']))
    },
    async url(stack) {
      const ctx = new EngineContext(stack, deps)
      const r = await ctx.call('DescribeLoadBalancers', () => elb(stack).send(new DescribeLoadBalancersCommand({ Names: [`${stack.name}-alb`] }))).catch((err: unknown) => {
        if (errorName((err as Error).cause) === 'LoadBalancerNotFoundException') return undefined
        throw err
      })
      const lb = r?.LoadBalancers?.[0]
      if (lb === undefined) return undefined
      const l = (await ctx.call('DescribeListeners', () => elb(stack).send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })))).Listeners?.[0]
      const https = l?.Protocol === 'HTTPS'
      const port = l?.Port ?? stack.alb.listenerPort
      const defaultPort = https ? 443 : 80
      return `${https ? 'https' : 'http'}://${lb.DNSName}${port === defaultPort ? '' : `:${port}`}/`
    },
  }
}
