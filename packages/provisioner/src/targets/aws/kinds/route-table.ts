import { AssociateRouteTableCommand, CreateRouteCommand, ReplaceRouteCommand, ReplaceRouteTableAssociationCommand } from '@aws-sdk/client-ec2'
import type { ActualResource, DesiredOf } from '../plan/resources.js'
import type { Action, EngineContext } from '../engine/context.js'

/** Where a subnet is explicitly associated now (read by discovery from every table of the VPC). */
export interface SubnetAssociation {
  readonly table: string
  readonly id: string
}

/**
 * Routes (created or replaced) and subnet associations. A subnet associated
 * with another table is moved with `ReplaceRouteTableAssociation`:
 * `AssociateRouteTable` would answer `Resource.AlreadyAssociated`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRouteTableAssociation.html).
 */
export function routeTableActions(ctx: EngineContext, d: DesiredOf<'route-table'>, a: ActualResource): Action[] {
  const ec2 = () => ctx.deps.clients.ec2(d.region)
  const routes = a.facts['routes'] as { destination?: string; target?: string }[]
  const out: Action[] = []
  for (const r of d.routes) {
    const target = ctx.idOf(r.target.key)
    const have = routes.find((x) => x.destination === r.destination)
    if (have?.target === target) continue
    out.push({
      description: `route ${r.destination} -> ${r.target.key}`,
      run: async () => {
        const id = ctx.requireId(r.target.key)
        const input = {
          RouteTableId: a.id,
          DestinationCidrBlock: r.destination,
          ...(r.target.kind === 'internet-gateway' ? { GatewayId: id } : r.target.kind === 'nat-gateway' ? { NatGatewayId: id } : { VpcPeeringConnectionId: id }),
        }
        await ctx.call(have === undefined ? 'CreateRoute' : 'ReplaceRoute', () => ec2().send(have === undefined ? new CreateRouteCommand(input) : new ReplaceRouteCommand(input)), { notFound: true })
      },
    })
  }
  for (const s of d.subnets) {
    const now = ctx.actual.get(s)?.facts['association'] as SubnetAssociation | undefined
    if (now?.table === a.id) continue
    if (now === undefined) {
      out.push({
        description: `associate ${s}`,
        run: async () => void (await ctx.call('AssociateRouteTable', () => ec2().send(new AssociateRouteTableCommand({ RouteTableId: a.id, SubnetId: ctx.requireId(s) })), { notFound: true })),
      })
    } else {
      out.push({
        description: `move ${s} here from ${now.table}`,
        run: async () => void (await ctx.call('ReplaceRouteTableAssociation', () => ec2().send(new ReplaceRouteTableAssociationCommand({ AssociationId: now.id, RouteTableId: a.id })))),
      })
    }
  }
  return out
}
