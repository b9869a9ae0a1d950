import {
  DeleteInternetGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeleteVpcPeeringConnectionCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2'
import { DeleteListenerCommand, DeleteLoadBalancerCommand, DeleteTargetGroupCommand, DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2'
import { DeleteParameterCommand } from '@aws-sdk/client-ssm'
import type { EngineDeps } from '../clients.js'
import { ProvisionerError } from '../../../errors.js'
import { terminateInstances } from '../kinds/instance.js'
import { deleteNatGateways } from '../kinds/nat-gateway.js'
import { revokeAll } from '../kinds/security-group.js'
import { deleteVpcEndpoints } from '../kinds/vpc-endpoint.js'
import { desiredResources } from '../plan/desired.js'
import type { ActualResource, ResourceKind } from '../plan/resources.js'
import { errorName } from '../retry.js'
import type { Stack } from '../../../stack/schema.js'
import { EngineContext } from './context.js'
import { discoverInto } from './plan.js'
import { outcome, pollUntil } from './waiters.js'

/** Reverse dependency order. */
const ORDER: readonly ResourceKind[] = [
  'listener', 'load-balancer', 'target-group', 'instance', 'security-group', 'vpc-endpoint', 'route-table', 'vpc-peering',
  'nat-gateway', 'elastic-ip', 'subnet', 'internet-gateway', 'vpc', 'secret',
]

/**
 * Delete resources in reverse dependency order, waiting where AWS needs it:
 * instances until `terminated`, NAT gateways until `deleted`, and every
 * `DependencyViolation` (an ALB's network interfaces are released minutes
 * after `DeleteLoadBalancer`) for as long as `dependencyWaitSeconds`.
 */
export async function deleteResources(ctx: EngineContext, resources: readonly ActualResource[]): Promise<void> {
  for (const kind of ORDER) {
    const group = resources.filter((r) => r.kind === kind)
    for (const region of new Set(group.map((g) => g.region))) {
      const inRegion = group.filter((g) => g.region === region)
      for (const r of inRegion) ctx.progress({ event: 'delete', key: r.key, region })
      switch (kind) {
        case 'instance':
          await terminateInstances(ctx, region, inRegion)
          break
        case 'security-group':
          // Groups reference each other: drop every rule first, then the groups.
          for (const r of inRegion) await revokeAll(ctx, r)
          for (const r of inRegion) await ctx.callUntilFree('DeleteSecurityGroup', r.key, () => ctx.deps.clients.ec2(region).send(new DeleteSecurityGroupCommand({ GroupId: r.id })))
          break
        case 'nat-gateway':
          await deleteNatGateways(ctx, region, inRegion)
          break
        case 'vpc-endpoint':
          await deleteVpcEndpoints(ctx, region, inRegion)
          break
        case 'load-balancer':
          for (const r of inRegion) await deleteLoadBalancer(ctx, r)
          break
        default:
          for (const r of inRegion) await deleteOne(ctx, r)
      }
    }
  }
}

async function deleteLoadBalancer(ctx: EngineContext, r: ActualResource): Promise<void> {
  const elb = ctx.deps.clients.elbv2(r.region)
  await ctx.call('DeleteLoadBalancer', () => elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: r.id })))
  await pollUntil(ctx, `load balancer ${r.key} deleted`, async () => {
    const x = await ctx.call('DescribeLoadBalancers', () => elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [r.id] }))).catch((err: unknown) => {
      if (errorName((err as Error).cause) === 'LoadBalancerNotFound' || errorName((err as Error).cause) === 'LoadBalancerNotFoundException') return { LoadBalancers: [] }
      throw err
    })
    return outcome(x.LoadBalancers?.[0]?.State?.Code ?? 'deleted', ['deleted'])
  }, r.key)
}

async function deleteOne(ctx: EngineContext, r: ActualResource): Promise<void> {
  const ec2 = ctx.deps.clients.ec2(r.region)
  const elb = ctx.deps.clients.elbv2(r.region)
  switch (r.kind) {
    case 'listener':
      await ctx.call('DeleteListener', () => elb.send(new DeleteListenerCommand({ ListenerArn: r.id })))
      return
    case 'target-group':
      await ctx.callUntilFree('DeleteTargetGroup', r.key, () => elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: r.id })))
      return
    case 'route-table':
      for (const a of r.facts['associations'] as { id: string }[]) {
        await ctx.call('DisassociateRouteTable', () => ec2.send(new DisassociateRouteTableCommand({ AssociationId: a.id })))
      }
      await ctx.callUntilFree('DeleteRouteTable', r.key, () => ec2.send(new DeleteRouteTableCommand({ RouteTableId: r.id })))
      return
    case 'vpc-peering':
      await ctx.call('DeleteVpcPeeringConnection', () => ec2.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: r.id })))
      return
    case 'elastic-ip':
      await ctx.callUntilFree('ReleaseAddress', r.key, () => ec2.send(new ReleaseAddressCommand({ AllocationId: r.id })))
      return
    case 'subnet':
      await ctx.callUntilFree('DeleteSubnet', r.key, () => ec2.send(new DeleteSubnetCommand({ SubnetId: r.id })))
      return
    case 'internet-gateway':
      for (const vpc of r.facts['attachedTo'] as string[]) {
        await ctx.callUntilFree('DetachInternetGateway', r.key, () => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: r.id, VpcId: vpc })))
      }
      await ctx.callUntilFree('DeleteInternetGateway', r.key, () => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: r.id })))
      return
    case 'vpc':
      await ctx.callUntilFree('DeleteVpc', r.key, () => ec2.send(new DeleteVpcCommand({ VpcId: r.id })))
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
