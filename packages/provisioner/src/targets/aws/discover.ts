import {
  DescribeAddressesCommand,
  paginateDescribeInstances,
  paginateDescribeInternetGateways,
  paginateDescribeNatGateways,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcPeeringConnections,
  paginateDescribeVpcs,
  type Filter,
  type IpPermission,
  type Tag,
} from '@aws-sdk/client-ec2'
import {
  DescribeListenersCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { paginateGetParametersByPath } from '@aws-sdk/client-ssm'
import { TAG_STACK, type ActualResource, type ResourceKind } from './plan/resources.js'
import type { EngineDeps } from './clients.js'
import { withRetry } from './retry.js'

/** A normalised ingress permission: one port range from one source. */
export interface NormalisedRule {
  readonly fromPort: number
  readonly toPort: number
  readonly cidr?: string
  readonly sg?: string
}

/** Flatten EC2 ip permissions into one rule per source. */
export function normaliseRules(perms: readonly IpPermission[] | undefined): NormalisedRule[] {
  return (perms ?? []).flatMap((p) => [
    ...(p.IpRanges ?? []).map((r) => ({ fromPort: p.FromPort ?? 0, toPort: p.ToPort ?? 0, cidr: r.CidrIp ?? '' })),
    ...(p.UserIdGroupPairs ?? []).map((g) => ({ fromPort: p.FromPort ?? 0, toPort: p.ToPort ?? 0, sg: g.GroupId ?? '' })),
  ])
}

async function collect<P, T>(pages: AsyncIterable<P>, pick: (page: P) => readonly T[] | undefined): Promise<T[]> {
  const out: T[] = []
  for await (const page of pages) out.push(...(pick(page) ?? []))
  return out
}

const tag = (tags: readonly Tag[] | undefined, key: string): string | undefined => tags?.find((t) => t.Key === key)?.Value

/**
 * Find every resource of a stack in the given regions from its tags.
 * `keyOfName` maps a `Name` tag back to a desired key; unknown names become
 * `orphan:<name>` (they will be deleted). No state file is involved.
 */
export async function discover(stack: string, regions: readonly string[], keyOfName: ReadonlyMap<string, string>, deps: EngineDeps): Promise<ActualResource[]> {
  const sleep = deps.sleep!
  const r = <T>(label: string, fn: () => Promise<T>): Promise<T> => withRetry(label, fn, { sleep })
  const out: ActualResource[] = []
  const add = (kind: ResourceKind, region: string, id: string, tags: readonly Tag[] | undefined, facts: Record<string, unknown> = {}): void => {
    const name = tag(tags, 'Name') ?? id
    out.push({ key: keyOfName.get(name) ?? `orphan:${name}`, kind, region, id, facts })
  }
  const Filters: Filter[] = [{ Name: `tag:${TAG_STACK}`, Values: [stack] }]
  for (const region of regions) {
    const client = deps.clients.ec2(region)
    const cfg = { client }
    for (const v of await r('DescribeVpcs', () => collect(paginateDescribeVpcs(cfg, { Filters }), (p) => p.Vpcs))) add('vpc', region, v.VpcId!, v.Tags)
    for (const g of await r('DescribeInternetGateways', () => collect(paginateDescribeInternetGateways(cfg, { Filters }), (p) => p.InternetGateways))) {
      add('internet-gateway', region, g.InternetGatewayId!, g.Tags, { attachedTo: (g.Attachments ?? []).map((a) => a.VpcId) })
    }
    for (const s of await r('DescribeSubnets', () => collect(paginateDescribeSubnets(cfg, { Filters }), (p) => p.Subnets))) add('subnet', region, s.SubnetId!, s.Tags)
    const eips = await r('DescribeAddresses', () => client.send(new DescribeAddressesCommand({ Filters })))
    for (const a of eips.Addresses ?? []) add('elastic-ip', region, a.AllocationId!, a.Tags, { publicIp: a.PublicIp })
    const nats = await r('DescribeNatGateways', () => collect(paginateDescribeNatGateways(cfg, { Filter: Filters }), (p) => p.NatGateways))
    for (const n of nats) if (n.State !== 'deleted' && n.State !== 'deleting' && n.State !== 'failed') add('nat-gateway', region, n.NatGatewayId!, n.Tags, { state: n.State })
    const peerings = await r('DescribeVpcPeeringConnections', () => collect(paginateDescribeVpcPeeringConnections(cfg, { Filters }), (p) => p.VpcPeeringConnections))
    for (const p of peerings) {
      const status = p.Status?.Code
      // The accepter side sees the same connection: record it once, in the requester's region.
      if (status === 'deleted' || status === 'rejected' || status === 'failed' || status === 'expired' || p.RequesterVpcInfo?.Region !== region) continue
      add('vpc-peering', region, p.VpcPeeringConnectionId!, p.Tags, { status })
    }
    for (const t of await r('DescribeRouteTables', () => collect(paginateDescribeRouteTables(cfg, { Filters }), (p) => p.RouteTables))) {
      add('route-table', region, t.RouteTableId!, t.Tags, {
        routes: (t.Routes ?? []).map((x) => ({ destination: x.DestinationCidrBlock, target: x.GatewayId ?? x.NatGatewayId ?? x.VpcPeeringConnectionId })),
        associations: (t.Associations ?? []).filter((a) => a.Main !== true).map((a) => ({ subnet: a.SubnetId, id: a.RouteTableAssociationId })),
      })
    }
    for (const g of await r('DescribeSecurityGroups', () => collect(paginateDescribeSecurityGroups(cfg, { Filters }), (p) => p.SecurityGroups))) {
      add('security-group', region, g.GroupId!, g.Tags, { rules: normaliseRules(g.IpPermissions) })
    }
    const reservations = await r('DescribeInstances', () =>
      collect(paginateDescribeInstances(cfg, { Filters: [...Filters, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }] }), (p) => p.Reservations),
    )
    for (const i of reservations.flatMap((x) => x.Instances ?? [])) {
      add('instance', region, i.InstanceId!, i.Tags, { privateIp: i.PrivateIpAddress, publicIp: i.PublicIpAddress, state: i.State?.Name })
    }
    await discoverElb(stack, region, deps, add)
    const ssm = deps.clients.ssm(region)
    const params = await r('GetParametersByPath', () => collect(paginateGetParametersByPath({ client: ssm }, { Path: `/birthday-ha/${stack}/`, WithDecryption: false }), (p) => p.Parameters))
    for (const p of params) out.push({ key: keyOfName.get(`${region}:${p.Name!}`) ?? `orphan:${p.Name!}`, kind: 'secret', region, id: p.Name!, facts: {} })
  }
  return out
}

async function discoverElb(
  stack: string,
  region: string,
  deps: EngineDeps,
  add: (kind: ResourceKind, region: string, id: string, tags: readonly Tag[] | undefined, facts?: Record<string, unknown>) => void,
): Promise<void> {
  const sleep = deps.sleep!
  const client = deps.clients.elbv2(region)
  const r = <T>(label: string, fn: () => Promise<T>): Promise<T> => withRetry(label, fn, { sleep })
  const lbs = await r('DescribeLoadBalancers', () => collect(paginateDescribeLoadBalancers({ client }, {}), (p) => p.LoadBalancers))
  const tgs = await r('DescribeTargetGroups', () => collect(paginateDescribeTargetGroups({ client }, {}), (p) => p.TargetGroups))
  const tagsOf = new Map<string, Tag[]>()
  const loadTags = async (arns: readonly string[]): Promise<void> => {
    for (let i = 0; i < arns.length; i += 20) {
      const res = await r('DescribeTags', () => client.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) })))
      for (const d of res.TagDescriptions ?? []) tagsOf.set(d.ResourceArn!, (d.Tags ?? []) as Tag[])
    }
  }
  await loadTags([...lbs.map((l) => l.LoadBalancerArn!), ...tgs.map((t) => t.TargetGroupArn!)])
  const mine = (arn: string): boolean => tag(tagsOf.get(arn), TAG_STACK) === stack
  for (const t of tgs.filter((x) => mine(x.TargetGroupArn!))) {
    const health = await r('DescribeTargetHealth', () => client.send(new DescribeTargetHealthCommand({ TargetGroupArn: t.TargetGroupArn })))
    add('target-group', region, t.TargetGroupArn!, tagsOf.get(t.TargetGroupArn!), {
      targets: (health.TargetHealthDescriptions ?? []).map((h) => ({ id: h.Target?.Id, state: h.TargetHealth?.State })),
    })
  }
  for (const lb of lbs.filter((x) => mine(x.LoadBalancerArn!))) {
    add('load-balancer', region, lb.LoadBalancerArn!, tagsOf.get(lb.LoadBalancerArn!), { dnsName: lb.DNSName, state: lb.State?.Code })
    const listeners = await r('DescribeListeners', () => client.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
    const arns = (listeners.Listeners ?? []).map((l) => l.ListenerArn!)
    await loadTags(arns)
    for (const arn of arns) add('listener', region, arn, tagsOf.get(arn))
  }
}
