import { AttachInternetGatewayCommand } from '@aws-sdk/client-ec2'
import type { ActualResource, DesiredResource } from '../plan/resources.js'
import { listenerActions, loadBalancerActions, targetGroupActions } from '../kinds/load-balancing.js'
import { natGatewayActions } from '../kinds/nat-gateway.js'
import { routeTableActions } from '../kinds/route-table.js'
import { securityGroupActions } from '../kinds/security-group.js'
import { vpcEndpointActions } from '../kinds/vpc-endpoint.js'
import { peeringActions } from '../kinds/vpc-peering.js'
import type { Action, EngineContext } from './context.js'

/**
 * What must change on an existing resource so it matches the desired one,
 * in place: security-group rules, routes and associations, an IGW
 * attachment, a peering not yet active, the S3 endpoint's route tables,
 * target group health check, delay and targets, listener port, protocol and
 * certificate, the ALB's subnets and group, a NAT gateway still pending.
 * What cannot change in place is {@link replacementReasons}'s. `plan` prints
 * the descriptions; `apply` runs them.
 */
export function reconcileActions(ctx: EngineContext, d: DesiredResource, a: ActualResource): Action[] {
  switch (d.kind) {
    case 'internet-gateway': {
      const vpc = ctx.idOf(d.vpc)
      if ((a.facts['attachedTo'] as string[]).includes(vpc)) return []
      const ec2 = ctx.deps.clients.ec2(d.region)
      return [{ description: `attach to ${d.vpc}`, run: async () => void (await ctx.call('AttachInternetGateway', () => ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: a.id, VpcId: vpc })), { notFound: true })) }]
    }
    case 'nat-gateway':
      return natGatewayActions(ctx, d, a)
    case 'vpc-peering':
      return peeringActions(ctx, d, a)
    case 'route-table':
      return routeTableActions(ctx, d, a)
    case 'vpc-endpoint':
      return vpcEndpointActions(ctx, d, a)
    case 'security-group':
      return securityGroupActions(ctx, d, a)
    case 'target-group':
      return targetGroupActions(ctx, d, a)
    case 'listener':
      return listenerActions(ctx, d, a)
    case 'load-balancer':
      return loadBalancerActions(ctx, d, a)
    default:
      return []
  }
}
