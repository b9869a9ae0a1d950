import {
  DescribeAddressesCommand,
  paginateDescribeInstances,
  paginateDescribeInternetGateways,
  paginateDescribeNatGateways,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVolumes,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcPeeringConnections,
  paginateDescribeVpcs,
  type Filter,
  type Tag,
} from '@aws-sdk/client-ec2'
import {
  DescribeListenersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { paginateGetParametersByPath } from '@aws-sdk/client-ssm'
import { TAG_STACK, type ActualResource, type GoneResource, type ResourceKind } from './plan/resources.js'
import type { EngineDeps } from './clients.js'
import { TAG_OS_RELEASE } from './kinds/debian-image.js'
import { DEREGISTRATION_DELAY } from './kinds/load-balancing.js'
import type { SubnetAssociation } from './kinds/route-table.js'
import { normaliseRules } from './kinds/security-group.js'
import { withRetry } from './retry.js'

/** What discovery found: the live resources, and those AWS still lists as gone. */
export interface Discovery {
  readonly actual: ActualResource[]
  readonly gone: GoneResource[]
}

type Add = (kind: ResourceKind, region: string, id: string, tags: readonly Tag[] | undefined, facts?: Record<string, unknown>) => void

async function collect<P, T>(pages: AsyncIterable<P>, pick: (page: P) => readonly T[] | undefined): Promise<T[]> {
  const out: T[] = []
  for await (const page of pages) out.push(...(pick(page) ?? []))
  return out
}

const tag = (tags: readonly Tag[] | undefined, key: string): string | undefined => tags?.find((t) => t.Key === key)?.Value

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_NatGateway.html and API_InstanceState.html
const NAT_GONE = new Set(['deleting', 'deleted', 'failed'])
const INSTANCE_GONE = new Set(['shutting-down', 'terminated'])
const PEERING_GONE = new Set(['deleted', 'deleting', 'rejected', 'failed', 'expired'])

/**
 * Find every resource of a stack in the given regions from its tags.
 * `keyOfName` maps a `Name` tag back to a desired key; unknown names become
 * `orphan:<name>` (they will be deleted). No state file is involved.
 */
export async function discover(stack: string, regions: readonly string[], keyOfName: ReadonlyMap<string, string>, deps: EngineDeps): Promise<Discovery> {
  const sleep = deps.sleep!
  const r = <T>(label: string, fn: () => Promise<T>): Promise<T> => withRetry(label, fn, { sleep })
  const out: ActualResource[] = []
  const gone: GoneResource[] = []
  const keyOf = (id: string, tags: readonly Tag[] | undefined): string => {
    const name = tag(tags, 'Name') ?? id
    return keyOfName.get(name) ?? `orphan:${name}`
  }
  const add: Add = (kind, region, id, tags, facts = {}) => void out.push({ key: keyOf(id, tags), kind, region, id, facts })
  const Filters: Filter[] = [{ Name: `tag:${TAG_STACK}`, Values: [stack] }]
  for (const region of regions) {
    const client = deps.clients.ec2(region)
    const cfg = { client }
    const vpcs = await r('DescribeVpcs', () => collect(paginateDescribeVpcs(cfg, { Filters }), (p) => p.Vpcs))
    for (const v of vpcs) add('vpc', region, v.VpcId!, v.Tags)
    for (const g of await r('DescribeInternetGateways', () => collect(paginateDescribeInternetGateways(cfg, { Filters }), (p) => p.InternetGateways))) {
      add('internet-gateway', region, g.InternetGatewayId!, g.Tags, { attachedTo: (g.Attachments ?? []).map((a) => a.VpcId) })
    }
    // Every table of the stack's VPCs (the main one, hand-made ones): where is each subnet associated now?
    const vpcIds = vpcs.map((v) => v.VpcId!)
    const allTables = vpcIds.length === 0 ? [] : await r('DescribeRouteTables', () => collect(paginateDescribeRouteTables(cfg, { Filters: [{ Name: 'vpc-id', Values: vpcIds }] }), (p) => p.RouteTables))
    const assoc = new Map<string, SubnetAssociation>()
    for (const t of allTables) for (const a of t.Associations ?? []) if (a.SubnetId !== undefined) assoc.set(a.SubnetId, { table: t.RouteTableId!, id: a.RouteTableAssociationId! })
    for (const s of await r('DescribeSubnets', () => collect(paginateDescribeSubnets(cfg, { Filters }), (p) => p.Subnets))) {
      const association = assoc.get(s.SubnetId!)
      add('subnet', region, s.SubnetId!, s.Tags, association === undefined ? {} : { association })
    }
    const eips = await r('DescribeAddresses', () => client.send(new DescribeAddressesCommand({ Filters })))
    for (const a of eips.Addresses ?? []) add('elastic-ip', region, a.AllocationId!, a.Tags, { publicIp: a.PublicIp })
    const nats = await r('DescribeNatGateways', () => collect(paginateDescribeNatGateways(cfg, { Filter: Filters }), (p) => p.NatGateways))
    for (const n of nats) {
      if (NAT_GONE.has(n.State!)) gone.push({ key: keyOf(n.NatGatewayId!, n.Tags), kind: 'nat-gateway', region, id: n.NatGatewayId!, state: n.State! })
      else add('nat-gateway', region, n.NatGatewayId!, n.Tags, { state: n.State })
    }
    const peerings = await r('DescribeVpcPeeringConnections', () => collect(paginateDescribeVpcPeeringConnections(cfg, { Filters }), (p) => p.VpcPeeringConnections))
    for (const p of peerings) {
      const status = p.Status?.Code
      // The accepter side sees the same connection: record it once, in the requester's region.
      if (PEERING_GONE.has(status ?? '') || p.RequesterVpcInfo?.Region !== region) continue
      add('vpc-peering', region, p.VpcPeeringConnectionId!, p.Tags, { status })
    }
    for (const t of await r('DescribeRouteTables', () => collect(paginateDescribeRouteTables(cfg, { Filters }), (p) => p.RouteTables))) {
      add('route-table', region, t.RouteTableId!, t.Tags, {
        routes: (t.Routes ?? []).map((x) => ({ destination: x.DestinationCidrBlock, target: x.GatewayId ?? x.NatGatewayId ?? x.VpcPeeringConnectionId })),
        associations: (t.Associations ?? []).filter((a) => a.Main !== true).map((a) => ({ subnet: a.SubnetId, id: a.RouteTableAssociationId })),
      })
    }
    for (const e of await r('DescribeVpcEndpoints', () => collect(paginateDescribeVpcEndpoints(cfg, { Filters }), (p) => p.VpcEndpoints))) {
      const state = e.State?.toLowerCase()
      if (state !== 'deleted' && state !== 'deleting') add('vpc-endpoint', region, e.VpcEndpointId!, e.Tags, { routeTables: e.RouteTableIds ?? [], state })
    }
    for (const g of await r('DescribeSecurityGroups', () => collect(paginateDescribeSecurityGroups(cfg, { Filters }), (p) => p.SecurityGroups))) {
      add('security-group', region, g.GroupId!, g.Tags, { rules: normaliseRules(g.IpPermissions) })
    }
    await discoverInstances(r, cfg, region, Filters, add, (g) => gone.push({ ...g, key: keyOf(g.id, g.tags) }))
    await discoverElb(stack, region, deps, add)
    const ssm = deps.clients.ssm(region)
    const params = await r('GetParametersByPath', () => collect(paginateGetParametersByPath({ client: ssm }, { Path: `/birthday-ha/${stack}/`, WithDecryption: false }), (p) => p.Parameters))
    for (const p of params) out.push({ key: keyOfName.get(`${region}:${p.Name!}`) ?? `orphan:${p.Name!}`, kind: 'secret', region, id: p.Name!, facts: {} })
  }
  return { actual: out, gone }
}

async function discoverInstances(
  r: <T>(label: string, fn: () => Promise<T>) => Promise<T>,
  cfg: { client: ReturnType<EngineDeps['clients']['ec2']> },
  region: string,
  Filters: Filter[],
  add: Add,
  addGone: (g: { kind: 'instance'; region: string; id: string; state: string; tags: readonly Tag[] | undefined }) => void,
): Promise<void> {
  const reservations = await r('DescribeInstances', () => collect(paginateDescribeInstances(cfg, { Filters }), (p) => p.Reservations))
  const instances = reservations.flatMap((x) => x.Instances ?? [])
  const live = instances.filter((i) => !INSTANCE_GONE.has(i.State?.Name ?? ''))
  const rootVolume = (i: (typeof instances)[number]): string | undefined => i.BlockDeviceMappings?.find((b) => b.DeviceName === i.RootDeviceName)?.Ebs?.VolumeId
  const volumeIds = live.map(rootVolume).filter((v): v is string => v !== undefined)
  const volumes = volumeIds.length === 0 ? [] : await r('DescribeVolumes', () => collect(paginateDescribeVolumes(cfg, { VolumeIds: volumeIds }), (p) => p.Volumes))
  const size = new Map(volumes.map((v) => [v.VolumeId!, v.Size]))
  for (const i of instances) {
    const state = i.State?.Name ?? 'unknown'
    if (INSTANCE_GONE.has(state)) {
      addGone({ kind: 'instance', region, id: i.InstanceId!, state, tags: i.Tags })
      continue
    }
    const vol = rootVolume(i)
    add('instance', region, i.InstanceId!, i.Tags, {
      privateIp: i.PrivateIpAddress, publicIp: i.PublicIpAddress, state, instanceType: i.InstanceType, imageId: i.ImageId,
      osRelease: tag(i.Tags, TAG_OS_RELEASE), volumeGiB: vol === undefined ? undefined : size.get(vol),
    })
  }
}

async function discoverElb(stack: string, region: string, deps: EngineDeps, add: Add): Promise<void> {
  const sleep = deps.sleep!
  const client = deps.clients.elbv2(region)
  const r = <T>(label: string, fn: () => Promise<T>): Promise<T> => withRetry(label, fn, { sleep })
  const lbs = await r('DescribeLoadBalancers', () => collect(paginateDescribeLoadBalancers({ client }, {}), (p) => p.LoadBalancers))
  const tgs = await r('DescribeTargetGroups', () => collect(paginateDescribeTargetGroups({ client }, {}), (p) => p.TargetGroups))
  const tagsOf = new Map<string, Tag[]>()
  const loadTags = async (arns: readonly string[]): Promise<void> => {
    for (let i = 0; i < arns.length; i += 20) {
      const res = await r('DescribeTags', () => client.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) })))
      for (const d of res.TagDescriptions ?? []) tagsOf.set(d.ResourceArn!, d.Tags ?? [])
    }
  }
  await loadTags([...lbs.map((l) => l.LoadBalancerArn!), ...tgs.map((t) => t.TargetGroupArn!)])
  const mine = (arn: string): boolean => tag(tagsOf.get(arn), TAG_STACK) === stack
  for (const t of tgs.filter((x) => mine(x.TargetGroupArn!))) {
    const health = await r('DescribeTargetHealth', () => client.send(new DescribeTargetHealthCommand({ TargetGroupArn: t.TargetGroupArn })))
    const attrs = await r('DescribeTargetGroupAttributes', () => client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: t.TargetGroupArn })))
    add('target-group', region, t.TargetGroupArn!, tagsOf.get(t.TargetGroupArn!), {
      targets: (health.TargetHealthDescriptions ?? []).map((h) => ({ id: h.Target!.Id!, port: h.Target!.Port!, state: h.TargetHealth!.State! })),
      port: t.Port,
      healthCheck: {
        HealthCheckPath: t.HealthCheckPath, HealthCheckIntervalSeconds: t.HealthCheckIntervalSeconds, HealthyThresholdCount: t.HealthyThresholdCount,
        UnhealthyThresholdCount: t.UnhealthyThresholdCount, Matcher: t.Matcher?.HttpCode,
      },
      deregistrationDelay: attrs.Attributes?.find((a) => a.Key === DEREGISTRATION_DELAY)?.Value,
    })
  }
  for (const lb of lbs.filter((x) => mine(x.LoadBalancerArn!))) {
    add('load-balancer', region, lb.LoadBalancerArn!, tagsOf.get(lb.LoadBalancerArn!), {
      dnsName: lb.DNSName, state: lb.State?.Code, subnets: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId), securityGroups: lb.SecurityGroups ?? [],
    })
    const listeners = (await r('DescribeListeners', () => client.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })))).Listeners ?? []
    await loadTags(listeners.map((l) => l.ListenerArn!))
    for (const l of listeners) {
      add('listener', region, l.ListenerArn!, tagsOf.get(l.ListenerArn!), {
        port: l.Port, protocol: l.Protocol, certificateArn: l.Certificates?.[0]?.CertificateArn, targetGroup: l.DefaultActions?.[0]?.TargetGroupArn,
      })
    }
  }
}
