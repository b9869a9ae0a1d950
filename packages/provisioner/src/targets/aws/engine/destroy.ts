import {
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeleteVpcPeeringConnectionCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ReleaseAddressCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
  waitUntilInstanceTerminated,
  waitUntilNatGatewayDeleted,
  type IpPermission,
} from '@aws-sdk/client-ec2'
import { DeleteListenerCommand, DeleteLoadBalancerCommand, DeleteTargetGroupCommand, waitUntilLoadBalancersDeleted } from '@aws-sdk/client-elastic-load-balancing-v2'
import { DeleteParameterCommand } from '@aws-sdk/client-ssm'
import type { EngineDeps } from '../clients.js'
import type { NormalisedRule } from '../discover.js'
import { ProvisionerError } from '../../../errors.js'
import { desiredResources } from '../plan/desired.js'
import type { ActualResource, ResourceKind } from '../plan/resources.js'
import type { Stack } from '../../../stack/schema.js'
import { EngineContext } from './context.js'
import { waitFor } from './create.js'
import { discoverInto } from './plan.js'

/** Reverse dependency order. */
const ORDER: readonly ResourceKind[] = [
  'listener', 'load-balancer', 'target-group', 'instance', 'security-group', 'route-table', 'vpc-peering',
  'nat-gateway', 'elastic-ip', 'subnet', 'internet-gateway', 'vpc', 'secret',
]

const permissions = (rules: readonly NormalisedRule[]): IpPermission[] =>
  rules.map((r) => ({ IpProtocol: 'tcp', FromPort: r.fromPort, ToPort: r.toPort, ...(r.cidr === undefined ? { UserIdGroupPairs: [{ GroupId: r.sg }] } : { IpRanges: [{ CidrIp: r.cidr }] }) }))

/** Delete resources in reverse dependency order, waiting where AWS needs it. */
export async function deleteResources(ctx: EngineContext, resources: readonly ActualResource[]): Promise<void> {
  const dep = { dependency: true, notFound: false } as const
  const wait = ctx.deps.maxWaitSeconds
  for (const kind of ORDER) {
    const group = resources.filter((r) => r.kind === kind)
    if (group.length === 0) continue
    for (const region of new Set(group.map((g) => g.region))) {
      const inRegion = group.filter((g) => g.region === region)
      const ec2 = ctx.deps.clients.ec2(region)
      const elb = ctx.deps.clients.elbv2(region)
      for (const r of inRegion) ctx.progress({ event: 'delete', key: r.key, region })
      switch (kind) {
        case 'instance': {
          const InstanceIds = inRegion.map((r) => r.id)
          await ctx.call('TerminateInstances', () => ec2.send(new TerminateInstancesCommand({ InstanceIds })))
          await waitFor('instances terminated', () => waitUntilInstanceTerminated({ client: ec2, maxWaitTime: wait }, { InstanceIds }))
          break
        }
        case 'security-group':
          // Groups reference each other: drop every rule first, then the groups.
          for (const r of inRegion) {
            const rules = r.facts['rules'] as NormalisedRule[]
            if (rules.length > 0) await ctx.call('RevokeSecurityGroupIngress', () => ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: r.id, IpPermissions: permissions(rules) })))
          }
          for (const r of inRegion) await ctx.call('DeleteSecurityGroup', () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: r.id })), dep)
          break
        case 'nat-gateway': {
          for (const r of inRegion) await ctx.call('DeleteNatGateway', () => ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: r.id })))
          await waitFor('NAT gateways deleted', () => waitUntilNatGatewayDeleted({ client: ec2, maxWaitTime: wait }, { NatGatewayIds: inRegion.map((r) => r.id) }))
          break
        }
        case 'load-balancer':
          for (const r of inRegion) await ctx.call('DeleteLoadBalancer', () => elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: r.id })))
          await waitFor('load balancers deleted', () => waitUntilLoadBalancersDeleted({ client: elb, maxWaitTime: wait }, { LoadBalancerArns: inRegion.map((r) => r.id) }))
          break
        default:
          for (const r of inRegion) await deleteOne(ctx, r)
      }
    }
  }
}

async function deleteOne(ctx: EngineContext, r: ActualResource): Promise<void> {
  const ec2 = ctx.deps.clients.ec2(r.region)
  const dep = { dependency: true } as const
  switch (r.kind) {
    case 'listener':
      await ctx.call('DeleteListener', () => ctx.deps.clients.elbv2(r.region).send(new DeleteListenerCommand({ ListenerArn: r.id })))
      return
    case 'target-group':
      await ctx.call('DeleteTargetGroup', () => ctx.deps.clients.elbv2(r.region).send(new DeleteTargetGroupCommand({ TargetGroupArn: r.id })), { dependency: true })
      return
    case 'route-table':
      for (const a of r.facts['associations'] as { id: string }[]) {
        await ctx.call('DisassociateRouteTable', () => ec2.send(new DisassociateRouteTableCommand({ AssociationId: a.id })))
      }
      await ctx.call('DeleteRouteTable', () => ec2.send(new DeleteRouteTableCommand({ RouteTableId: r.id })), dep)
      return
    case 'vpc-peering':
      await ctx.call('DeleteVpcPeeringConnection', () => ec2.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: r.id })))
      return
    case 'elastic-ip':
      await ctx.call('ReleaseAddress', () => ec2.send(new ReleaseAddressCommand({ AllocationId: r.id })), dep)
      return
    case 'subnet':
      await ctx.call('DeleteSubnet', () => ec2.send(new DeleteSubnetCommand({ SubnetId: r.id })), dep)
      return
    case 'internet-gateway':
      for (const vpc of r.facts['attachedTo'] as string[]) {
        await ctx.call('DetachInternetGateway', () => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: r.id, VpcId: vpc })), dep)
      }
      await ctx.call('DeleteInternetGateway', () => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: r.id })), dep)
      return
    case 'vpc':
      await ctx.call('DeleteVpc', () => ec2.send(new DeleteVpcCommand({ VpcId: r.id })), dep)
      return
    default: // secret
      await ctx.call('DeleteParameter', () => ctx.deps.clients.ssm(r.region).send(new DeleteParameterCommand({ Name: r.id })))
  }
}

/**
 * Delete everything tagged with the stack, in reverse dependency order,
 * in both regions (secrets included). Refuses without `confirm: true`.
 *
 * @example
 * ```ts
 * const deleted = await destroyStack(stack, { clients }, { confirm: true })
 * ```
 */
export async function destroyStack(stack: Stack, deps: EngineDeps, options: { readonly confirm: boolean }): Promise<readonly string[]> {
  if (!options.confirm) throw new ProvisionerError('PROV_NOT_CONFIRMED', `destroying stack ${stack.name} needs explicit confirmation (--yes)`)
  const ctx = new EngineContext(stack, deps)
  await discoverInto(ctx, desiredResources(stack))
  const all = [...ctx.actual.values()]
  await deleteResources(ctx, all)
  return all.map((a) => a.key)
}
