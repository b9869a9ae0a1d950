import { AcceptVpcPeeringConnectionCommand, CreateVpcPeeringConnectionCommand, DescribeVpcPeeringConnectionsCommand } from '@aws-sdk/client-ec2'
import type { ActualResource, DesiredOf } from '../plan/resources.js'
import type { Action, EngineContext } from '../engine/context.js'
import { outcome, pollUntil } from '../engine/waiters.js'
import { errorName } from '../retry.js'

/** States a peering never leaves (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html#vpc-peering-lifecycle). */
const DEAD = ['rejected', 'failed', 'expired', 'deleted', 'deleting']

/** Request the peering from the primary VPC; it starts as `initiating-request`. */
export async function createPeering(ctx: EngineContext, d: DesiredOf<'vpc-peering'>): Promise<ActualResource> {
  const VpcId = ctx.requireId(d.vpc)
  const PeerVpcId = ctx.requireId(d.peerVpc)
  const r = await ctx.call(
    'CreateVpcPeeringConnection',
    () =>
      ctx.deps.clients.ec2(d.region).send(
        new CreateVpcPeeringConnectionCommand({ VpcId, PeerVpcId, PeerRegion: d.peerRegion, TagSpecifications: [{ ResourceType: 'vpc-peering-connection', Tags: ctx.tags(d) }] }),
      ),
    { notFound: true },
  )
  return { key: d.key, kind: d.kind, region: d.region, id: r.VpcPeeringConnection!.VpcPeeringConnectionId!, facts: { status: r.VpcPeeringConnection!.Status?.Code } }
}

/**
 * Until the peering is `active`: wait in the peer region for
 * `pending-acceptance` (a cross-region request is `initiating-request`
 * first), accept it there, then wait through `provisioning` to `active`,
 * polling the status itself, bounded.
 */
export function peeringActions(ctx: EngineContext, d: DesiredOf<'vpc-peering'>, a: ActualResource): Action[] {
  const status = a.facts['status'] as string | undefined
  if (status === 'active') return []
  return [
    {
      description: `accept in ${d.peerRegion} and wait until active (now ${status})`,
      run: async () => {
        const peer = ctx.deps.clients.ec2(d.peerRegion)
        const look = async (): Promise<string | undefined> => {
          const r = await ctx.call('DescribeVpcPeeringConnections', () => peer.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [a.id] }))).catch((err: unknown) => {
            // The peer region does not know the request yet.
            if (errorName((err as Error).cause) === 'InvalidVpcPeeringConnectionID.NotFound') return { VpcPeeringConnections: [] }
            throw err
          })
          return r.VpcPeeringConnections?.[0]?.Status?.Code
        }
        // Not yet visible in the peer region, or still initiating-request: wait.
        const seen = await pollUntil(ctx, `peering ${d.key} in ${d.peerRegion}`, async () => outcome(await look(), ['pending-acceptance', 'provisioning', 'active'], DEAD), d.key)
        if (seen === 'pending-acceptance') {
          await ctx.call('AcceptVpcPeeringConnection', () => peer.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: a.id })), { notFound: true })
        }
        await pollUntil(ctx, `peering ${d.key} active`, async () => outcome(await look(), ['active'], DEAD), d.key)
      },
    },
  ]
}
