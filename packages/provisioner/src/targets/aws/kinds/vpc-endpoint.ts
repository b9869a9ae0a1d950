import { createHash } from 'node:crypto'
import { CreateVpcEndpointCommand, DeleteVpcEndpointsCommand, DescribeVpcEndpointsCommand, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2'
import type { ActualResource, DesiredOf } from '../plan/resources.js'
import type { Action, EngineContext } from '../engine/context.js'
import { outcome, pollUntil } from '../engine/waiters.js'
import { errorName } from '../retry.js'

/**
 * Create a gateway endpoint (S3) on its route tables; AWS adds the prefix-list
 * routes itself (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html).
 * The ClientToken makes a retry after a lost answer safe; it changes with the VPC id.
 */
export async function createVpcEndpoint(ctx: EngineContext, d: DesiredOf<'vpc-endpoint'>): Promise<ActualResource> {
  const VpcId = ctx.requireId(d.vpc)
  const RouteTableIds = d.routeTables.map((t) => ctx.requireId(t))
  const ClientToken = createHash('sha256').update(JSON.stringify([ctx.stack.name, d.key, VpcId])).digest('hex').slice(0, 64)
  const r = await ctx.call(
    'CreateVpcEndpoint',
    () =>
      ctx.deps.clients.ec2(d.region).send(
        new CreateVpcEndpointCommand({ VpcId, ServiceName: d.service, VpcEndpointType: 'Gateway', RouteTableIds, ClientToken, TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: ctx.tags(d) }] }),
      ),
    { notFound: true },
  )
  return { key: d.key, kind: d.kind, region: d.region, id: r.VpcEndpoint!.VpcEndpointId!, facts: { routeTables: RouteTableIds } }
}

/** Route tables added to or removed from the endpoint (ModifyVpcEndpoint). */
export function vpcEndpointActions(ctx: EngineContext, d: DesiredOf<'vpc-endpoint'>, a: ActualResource): Action[] {
  const have = a.facts['routeTables'] as string[]
  const want = d.routeTables.map((t) => ctx.idOf(t))
  const add = want.filter((t) => !have.includes(t))
  const remove = have.filter((t) => !want.includes(t))
  if (add.length + remove.length === 0) return []
  return [
    {
      description: `route tables ${d.routeTables.join(', ')}`,
      run: async () => {
        const input = { VpcEndpointId: a.id, ...(add.length > 0 ? { AddRouteTableIds: add } : {}), ...(remove.length > 0 ? { RemoveRouteTableIds: remove } : {}) }
        await ctx.call('ModifyVpcEndpoint', () => ctx.deps.clients.ec2(d.region).send(new ModifyVpcEndpointCommand(input)))
      },
    },
  ]
}

/** Delete endpoints and wait until AWS no longer lists them as `deleting`. */
export async function deleteVpcEndpoints(ctx: EngineContext, region: string, endpoints: readonly ActualResource[]): Promise<void> {
  const ec2 = ctx.deps.clients.ec2(region)
  const VpcEndpointIds = endpoints.map((e) => e.id)
  await ctx.call('DeleteVpcEndpoints', () => ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds })))
  await pollUntil(ctx, 'VPC endpoints deleted', async () => {
    const r = await ctx.call('DescribeVpcEndpoints', () => ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds }))).catch((err: unknown) => {
      if (errorName((err as Error).cause) === 'InvalidVpcEndpointId.NotFound') return { VpcEndpoints: [] }
      throw err
    })
    const left = r.VpcEndpoints!.filter((e) => e.State!.toLowerCase() !== 'deleted')
    return outcome(left.length === 0 ? 'deleted' : left[0]!.State, ['deleted'])
  })
}
