import {
  AcceptVpcPeeringConnectionCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteCommand,
  ReplaceRouteCommand,
  RevokeSecurityGroupIngressCommand,
  waitUntilNatGatewayAvailable,
  waitUntilVpcPeeringConnectionExists,
  type IpPermission,
} from '@aws-sdk/client-ec2'
import { RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { NormalisedRule } from '../discover.js'
import type { ActualResource, DesiredResource } from '../plan/resources.js'
import type { Action, EngineContext } from './context.js'
import { waitFor } from './create.js'

const ruleId = (r: NormalisedRule): string => `${r.fromPort}-${r.toPort}:${r.cidr ?? r.sg}`
const permission = (r: NormalisedRule): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: r.fromPort,
  ToPort: r.toPort,
  ...(r.cidr === undefined ? { UserIdGroupPairs: [{ GroupId: r.sg }] } : { IpRanges: [{ CidrIp: r.cidr }] }),
})

/**
 * What must change on an existing resource so it matches the desired one:
 * security-group rules, routes and associations, an IGW attachment, a
 * pending peering (accepted in the peer region, with its client), targets
 * of the target group, a NAT gateway still pending. `plan` prints the
 * descriptions; `apply` runs them.
 */
export function reconcileActions(ctx: EngineContext, d: DesiredResource, a: ActualResource): Action[] {
  const ec2 = () => ctx.deps.clients.ec2(d.region)
  const f = a.facts
  switch (d.kind) {
    case 'internet-gateway': {
      const vpc = ctx.idOf(d.vpc)
      if ((f['attachedTo'] as string[]).includes(vpc)) return []
      return [{ description: `attach to ${d.vpc}`, run: () => ctx.call('AttachInternetGateway', () => ec2().send(new AttachInternetGatewayCommand({ InternetGatewayId: a.id, VpcId: vpc })), { notFound: true }).then(() => undefined) }]
    }
    case 'nat-gateway':
      if (f['state'] === 'available') return []
      return [{ description: 'wait until available', run: () => waitFor(`NAT gateway ${d.key}`, () => waitUntilNatGatewayAvailable({ client: ec2(), maxWaitTime: ctx.deps.maxWaitSeconds }, { NatGatewayIds: [a.id] })) }]
    case 'vpc-peering':
      if (f['status'] !== 'pending-acceptance') return []
      return [
        {
          description: `accept in ${d.peerRegion}`,
          run: async () => {
            const peer = ctx.deps.clients.ec2(d.peerRegion)
            await ctx.call('AcceptVpcPeeringConnection', () => peer.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: a.id })), { notFound: true })
            await waitFor(`peering ${d.key}`, () =>
              waitUntilVpcPeeringConnectionExists({ client: peer, maxWaitTime: ctx.deps.maxWaitSeconds }, { VpcPeeringConnectionIds: [a.id], Filters: [{ Name: 'status-code', Values: ['active'] }] }),
            )
          },
        },
      ]
    case 'route-table': {
      const routes = f['routes'] as { destination?: string; target?: string }[]
      const assoc = f['associations'] as { subnet?: string }[]
      const out: Action[] = []
      for (const r of d.routes) {
        const target = ctx.idOf(r.target.key)
        const have = routes.find((x) => x.destination === r.destination)
        if (have?.target === target) continue
        const input = {
          RouteTableId: a.id,
          DestinationCidrBlock: r.destination,
          ...(r.target.kind === 'internet-gateway' ? { GatewayId: target } : r.target.kind === 'nat-gateway' ? { NatGatewayId: target } : { VpcPeeringConnectionId: target }),
        }
        out.push({
          description: `route ${r.destination} -> ${r.target.key}`,
          run: () =>
            ctx.call(have === undefined ? 'CreateRoute' : 'ReplaceRoute', () => ec2().send(have === undefined ? new CreateRouteCommand(input) : new ReplaceRouteCommand(input)), { notFound: true }).then(() => undefined),
        })
      }
      for (const s of d.subnets) {
        const subnet = ctx.idOf(s)
        if (assoc.some((x) => x.subnet === subnet)) continue
        out.push({ description: `associate ${s}`, run: () => ctx.call('AssociateRouteTable', () => ec2().send(new AssociateRouteTableCommand({ RouteTableId: a.id, SubnetId: subnet })), { notFound: true }).then(() => undefined) })
      }
      return out
    }
    case 'security-group': {
      const have = new Map((f['rules'] as NormalisedRule[]).map((r) => [ruleId(r), r]))
      const want = new Map(
        d.ingress.map((r) => {
          const n: NormalisedRule = { fromPort: r.fromPort, toPort: r.toPort, ...('cidr' in r.source ? { cidr: r.source.cidr } : { sg: ctx.idOf(r.source.sg) }) }
          return [ruleId(n), { n, label: 'cidr' in r.source ? r.source.cidr : r.source.sg, description: r.description }] as const
        }),
      )
      const add = [...want].filter(([k]) => !have.has(k)).map(([, v]) => v)
      const remove = [...have].filter(([k]) => !want.has(k)).map(([, v]) => v)
      const out: Action[] = []
      if (add.length > 0) {
        out.push({
          description: `allow ${add.map((x) => `tcp/${x.n.fromPort === x.n.toPort ? x.n.fromPort : `${x.n.fromPort}-${x.n.toPort}`} from ${x.label}`).join(', ')}`,
          run: () =>
            ctx
              .call('AuthorizeSecurityGroupIngress', () =>
                ec2().send(
                  new AuthorizeSecurityGroupIngressCommand({
                    GroupId: a.id,
                    IpPermissions: add.map((x) => {
                      const p = permission(x.n)
                      if (p.IpRanges !== undefined) p.IpRanges[0]!.Description = x.description
                      else p.UserIdGroupPairs![0]!.Description = x.description
                      return p
                    }),
                  }),
                ),
              { notFound: true })
              .then(() => undefined),
        })
      }
      if (remove.length > 0) {
        out.push({
          description: `revoke ${remove.map(ruleId).join(', ')}`,
          run: () => ctx.call('RevokeSecurityGroupIngress', () => ec2().send(new RevokeSecurityGroupIngressCommand({ GroupId: a.id, IpPermissions: remove.map(permission) }))).then(() => undefined),
        })
      }
      return out
    }
    case 'target-group': {
      const registered = new Set((f['targets'] as { id?: string }[]).map((t) => t.id))
      const missing = d.targets.filter((t) => !registered.has(ctx.idOf(t)))
      if (missing.length === 0) return []
      return [
        {
          description: `register ${missing.join(', ')}`,
          run: () =>
            ctx
              .call('RegisterTargets', () => ctx.deps.clients.elbv2(d.region).send(new RegisterTargetsCommand({ TargetGroupArn: a.id, Targets: missing.map((t) => ({ Id: ctx.requireId(t), Port: d.port })) })), {
                notFound: true,
              })
              .then(() => undefined),
        },
      ]
    }
    default:
      return []
  }
}
