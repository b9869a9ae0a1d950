import { createHash } from 'node:crypto'
import { CreateNatGatewayCommand, DeleteNatGatewayCommand, DescribeNatGatewaysCommand } from '@aws-sdk/client-ec2'
import type { ActualResource, DesiredOf } from '../plan/resources.js'
import type { Action, EngineContext } from '../engine/context.js'
import { outcome, pollUntil } from '../engine/waiters.js'

async function waitNat(ctx: EngineContext, region: string, key: string, id: string, done: string): Promise<string> {
  const ec2 = ctx.deps.clients.ec2(region)
  // https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html: pending → available | failed; deleting → deleted.
  return pollUntil(
    ctx,
    `NAT gateway ${key} ${done}`,
    async () => {
      const r = await ctx.call('DescribeNatGateways', () => ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] })), { notFound: true })
      return outcome(r.NatGateways?.[0]?.State, [done], done === 'available' ? ['failed', 'deleting', 'deleted'] : [])
    },
    key,
  )
}

/**
 * Create the NAT gateway. A gateway of the same key that is still `deleting`
 * holds the EIP until it is `deleted`: wait for that first. The ClientToken
 * is new after a deletion (the count of gone gateways and the subnet and EIP ids are in it).
 */
export async function createNatGateway(ctx: EngineContext, d: DesiredOf<'nat-gateway'>): Promise<ActualResource> {
  for (const g of ctx.gone.filter((x) => x.key === d.key && x.state === 'deleting')) await waitNat(ctx, d.region, d.key, g.id, 'deleted')
  const SubnetId = ctx.requireId(d.subnet)
  const AllocationId = ctx.requireId(d.eip)
  const ClientToken = createHash('sha256').update(JSON.stringify([ctx.stack.name, d.key, SubnetId, AllocationId, ctx.goneCount(d.key)])).digest('hex').slice(0, 64)
  const r = await ctx.call(
    'CreateNatGateway',
    () => ctx.deps.clients.ec2(d.region).send(new CreateNatGatewayCommand({ SubnetId, AllocationId, ClientToken, TagSpecifications: [{ ResourceType: 'natgateway', Tags: ctx.tags(d) }] })),
    { notFound: true },
  )
  return { key: d.key, kind: d.kind, region: d.region, id: r.NatGateway!.NatGatewayId!, facts: { state: r.NatGateway!.State } }
}

/** A gateway still `pending` is waited for (routes to it would not carry traffic yet). */
export function natGatewayActions(ctx: EngineContext, d: DesiredOf<'nat-gateway'>, a: ActualResource): Action[] {
  if (a.facts['state'] === 'available') return []
  return [{ description: 'wait until available', run: async () => void (await waitNat(ctx, d.region, d.key, a.id, 'available')) }]
}

/** Delete gateways and wait until `deleted`: only then is the EIP free to release. */
export async function deleteNatGateways(ctx: EngineContext, region: string, gateways: readonly ActualResource[]): Promise<void> {
  const ec2 = ctx.deps.clients.ec2(region)
  for (const r of gateways) await ctx.call('DeleteNatGateway', () => ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: r.id })))
  for (const r of gateways) await waitNat(ctx, region, r.key, r.id, 'deleted')
}
