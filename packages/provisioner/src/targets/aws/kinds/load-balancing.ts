import {
  DeregisterTargetsCommand,
  ModifyListenerCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import type { ActualResource, DesiredOf } from '../plan/resources.js'
import type { Action, EngineContext } from '../engine/context.js'

/** The health check every target group gets (ModifyTargetGroup puts drift back). */
export const HEALTH_CHECK = { HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2, Matcher: { HttpCode: '200' } } as const
/** The TLS policy of an HTTPS listener. */
export const SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06'
/** The target group attribute holding the deregistration delay. */
export const DEREGISTRATION_DELAY = 'deregistration_delay.timeout_seconds'

const same = (a: readonly string[] | undefined, b: readonly string[]): boolean => a !== undefined && a.length === b.length && [...a].sort().join() === [...b].sort().join()

/** Health check, deregistration delay and targets (registered on the app port, strays deregistered). */
export function targetGroupActions(ctx: EngineContext, d: DesiredOf<'target-group'>, a: ActualResource): Action[] {
  const elb = () => ctx.deps.clients.elbv2(d.region)
  const f = a.facts
  const out: Action[] = []
  const hc = f['healthCheck'] as Record<string, unknown> | undefined
  const wantHc = { HealthCheckPath: d.healthPath, ...HEALTH_CHECK, Matcher: HEALTH_CHECK.Matcher.HttpCode }
  if (hc !== undefined && Object.entries(wantHc).some(([k, v]) => hc[k] !== v)) {
    out.push({
      description: `health check ${d.healthPath} every ${HEALTH_CHECK.HealthCheckIntervalSeconds} s`,
      run: async () => void (await ctx.call('ModifyTargetGroup', () => elb().send(new ModifyTargetGroupCommand({ TargetGroupArn: a.id, HealthCheckPath: d.healthPath, ...HEALTH_CHECK })))),
    })
  }
  const delay = String(d.deregistrationDelaySeconds)
  if (f['deregistrationDelay'] !== undefined && f['deregistrationDelay'] !== delay) {
    out.push({
      description: `deregistration delay ${delay} s`,
      run: async () =>
        void (await ctx.call('ModifyTargetGroupAttributes', () => elb().send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: a.id, Attributes: [{ Key: DEREGISTRATION_DELAY, Value: delay }] })))),
    })
  }
  const registered = f['targets'] as { id: string; port: number }[]
  const wanted = new Set(d.targets.map((t) => ctx.idOf(t)))
  const missing = d.targets.filter((t) => !registered.some((r) => r.id === ctx.idOf(t) && r.port === d.port))
  const strays = registered.filter((r) => !wanted.has(r.id) || r.port !== d.port)
  if (missing.length > 0) {
    out.push({
      description: `register ${missing.join(', ')}`,
      run: async () =>
        void (await ctx.call('RegisterTargets', () => elb().send(new RegisterTargetsCommand({ TargetGroupArn: a.id, Targets: missing.map((t) => ({ Id: ctx.requireId(t), Port: d.port })) })), { notFound: true })),
    })
  }
  if (strays.length > 0) {
    out.push({
      description: `deregister ${strays.map((s) => `${s.id}:${s.port}`).join(', ')}`,
      run: async () => void (await ctx.call('DeregisterTargets', () => elb().send(new DeregisterTargetsCommand({ TargetGroupArn: a.id, Targets: strays.map((s) => ({ Id: s.id, Port: s.port })) })))),
    })
  }
  return out
}

/** Port, protocol, certificate and forward target of the listener, changed in place with ModifyListener. */
export function listenerActions(ctx: EngineContext, d: DesiredOf<'listener'>, a: ActualResource): Action[] {
  const f = a.facts
  const https = d.certificateArn !== undefined
  const protocol = https ? 'HTTPS' : 'HTTP'
  const tg = ctx.idOf(d.targetGroup)
  const drift: string[] = []
  if (f['port'] !== d.port) drift.push(`port ${String(f['port'])} -> ${d.port}`)
  if (f['protocol'] !== protocol) drift.push(`protocol ${String(f['protocol'])} -> ${protocol}`)
  if (https && f['certificateArn'] !== d.certificateArn) drift.push(`certificate -> ${d.certificateArn}`)
  if (f['targetGroup'] !== tg) drift.push(`forward to ${d.targetGroup}`)
  if (drift.length === 0) return []
  return [
    {
      description: drift.join(', '),
      run: async () => {
        await ctx.call('ModifyListener', () =>
          ctx.deps.clients.elbv2(d.region).send(
            new ModifyListenerCommand({
              ListenerArn: a.id, Port: d.port, Protocol: protocol,
              ...(https ? { Certificates: [{ CertificateArn: d.certificateArn }], SslPolicy: SSL_POLICY } : {}),
              DefaultActions: [{ Type: 'forward', TargetGroupArn: ctx.requireId(d.targetGroup) }],
            }),
          ),
        )
      },
    },
  ]
}

/** Subnets and security group of the ALB (SetSubnets, SetSecurityGroups). */
export function loadBalancerActions(ctx: EngineContext, d: DesiredOf<'load-balancer'>, a: ActualResource): Action[] {
  const elb = () => ctx.deps.clients.elbv2(d.region)
  const out: Action[] = []
  const subnets = d.subnets.map((s) => ctx.idOf(s))
  if (!same(a.facts['subnets'] as string[] | undefined, subnets)) {
    out.push({ description: `subnets ${d.subnets.join(', ')}`, run: async () => void (await ctx.call('SetSubnets', () => elb().send(new SetSubnetsCommand({ LoadBalancerArn: a.id, Subnets: subnets })))) })
  }
  const sg = ctx.idOf(d.securityGroup)
  if (!same(a.facts['securityGroups'] as string[] | undefined, [sg])) {
    out.push({
      description: `security group ${d.securityGroup}`,
      run: async () => void (await ctx.call('SetSecurityGroups', () => elb().send(new SetSecurityGroupsCommand({ LoadBalancerArn: a.id, SecurityGroups: [sg] })))),
    })
  }
  return out
}
