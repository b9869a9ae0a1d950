import {
  AllocateAddressCommand,
  CreateInternetGatewayCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAddressesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Filter,
  type Tag,
} from '@aws-sdk/client-ec2'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm'
import { nameTag, TAG_STACK, type ActualResource, type DesiredOf, type DesiredResource } from '../plan/resources.js'
import { errorName } from '../retry.js'
import { createInstance } from '../kinds/instance.js'
import { DEREGISTRATION_DELAY, HEALTH_CHECK, SSL_POLICY } from '../kinds/load-balancing.js'
import { createNatGateway } from '../kinds/nat-gateway.js'
import { createVpcEndpoint } from '../kinds/vpc-endpoint.js'
import { createPeering } from '../kinds/vpc-peering.js'
import type { EngineContext } from './context.js'
import { outcome, pollUntil } from './waiters.js'

const spec = (ResourceType: string, Tags: Tag[]) => [{ ResourceType, Tags }] as never

/** Read a secret's value (decrypted) from one region. */
export async function readSecret(ctx: EngineContext, region: string, name: string): Promise<string> {
  const res = await ctx.call('GetParameter', () => ctx.deps.clients.ssm(region).send(new GetParameterCommand({ Name: name, WithDecryption: true })))
  const value = res.Parameter!.Value!
  ctx.secretValues.set(name, value)
  return value
}

async function createSecret(ctx: EngineContext, d: DesiredOf<'secret'>): Promise<string> {
  // Same value in both regions: reuse whichever copy already exists.
  const other = [...ctx.actual.values()].find((a) => a.kind === 'secret' && a.id === d.parameter && a.region !== d.region)
  const value = ctx.secretValues.get(d.parameter) ?? (other === undefined ? ctx.deps.generateSecret() : await readSecret(ctx, other.region, d.parameter))
  ctx.secretValues.set(d.parameter, value)
  const Tags = ctx.tags(d)
  await ctx
    .call('PutParameter', () => ctx.deps.clients.ssm(d.region).send(new PutParameterCommand({ Name: d.parameter, Value: value, Type: 'SecureString', Overwrite: false, Tags })))
    .catch(async (err: unknown) => {
      // Overwrite: false after a lost answer: the parameter is there already; keep what it holds.
      if (errorName((err as Error).cause) !== 'ParameterAlreadyExists') throw err
      await readSecret(ctx, d.region, d.parameter)
    })
  return d.parameter
}

/**
 * Create something that has no ClientToken. When the answer is lost (a
 * throttled or failed response after AWS did the work), look it up by its
 * tags or name before trying again, so a retry never makes a duplicate.
 */
async function createOnce(ctx: EngineContext, label: string, find: () => Promise<string | undefined>, create: () => Promise<string>): Promise<string> {
  let tried = false
  return ctx.call(
    label,
    async () => {
      if (tried) {
        const found = await find()
        if (found !== undefined) return found
      }
      tried = true
      return create()
    },
    { notFound: true },
  )
}

/**
 * Create one resource in its bare form (tagged, no rules/routes/targets yet:
 * the kinds' actions add those) and return what now exists.
 */
export async function createResource(ctx: EngineContext, d: DesiredResource): Promise<ActualResource> {
  const ec2 = ctx.deps.clients.ec2(d.region)
  const elb = ctx.deps.clients.elbv2(d.region)
  const Tags = ctx.tags(d)
  const Name = nameTag(ctx.stack.name, d.key)
  const mine: Filter[] = [{ Name: 'tag:Name', Values: [Name] }, { Name: `tag:${TAG_STACK}`, Values: [ctx.stack.name] }]
  const done = (id: string, facts: Record<string, unknown> = {}): ActualResource => ({ key: d.key, kind: d.kind, region: d.region, id, facts })
  switch (d.kind) {
    case 'secret':
      return done(await createSecret(ctx, d))
    case 'vpc': {
      const id = await createOnce(
        ctx, 'CreateVpc',
        async () => (await ec2.send(new DescribeVpcsCommand({ Filters: mine }))).Vpcs?.[0]?.VpcId,
        async () => (await ec2.send(new CreateVpcCommand({ CidrBlock: d.cidr, TagSpecifications: spec('vpc', Tags) }))).Vpc!.VpcId!,
      )
      return done(id)
    }
    case 'internet-gateway': {
      const r = await ctx.call('CreateInternetGateway', () => ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: spec('internet-gateway', Tags) })))
      return done(r.InternetGateway!.InternetGatewayId!, { attachedTo: [] })
    }
    case 'subnet': {
      const VpcId = ctx.requireId(d.vpc)
      const id = await createOnce(
        ctx, 'CreateSubnet',
        async () => (await ec2.send(new DescribeSubnetsCommand({ Filters: [...mine, { Name: 'vpc-id', Values: [VpcId] }] }))).Subnets?.[0]?.SubnetId,
        async () => (await ec2.send(new CreateSubnetCommand({ VpcId, CidrBlock: d.cidr, AvailabilityZone: d.az, TagSpecifications: spec('subnet', Tags) }))).Subnet!.SubnetId!,
      )
      return done(id)
    }
    case 'elastic-ip': {
      let publicIp: string | undefined
      const id = await createOnce(
        ctx, 'AllocateAddress',
        async () => {
          const a = (await ec2.send(new DescribeAddressesCommand({ Filters: mine }))).Addresses?.[0]
          publicIp = a?.PublicIp
          return a?.AllocationId
        },
        async () => {
          const r = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: spec('elastic-ip', Tags) }))
          publicIp = r.PublicIp
          return r.AllocationId!
        },
      )
      return done(id, { publicIp })
    }
    case 'nat-gateway':
      return createNatGateway(ctx, d)
    case 'vpc-peering':
      return createPeering(ctx, d)
    case 'route-table': {
      const VpcId = ctx.requireId(d.vpc)
      const r = await ctx.call('CreateRouteTable', () => ec2.send(new CreateRouteTableCommand({ VpcId, TagSpecifications: spec('route-table', Tags) })), { notFound: true })
      return done(r.RouteTable!.RouteTableId!, { routes: [] })
    }
    case 'vpc-endpoint':
      return createVpcEndpoint(ctx, d)
    case 'security-group': {
      const VpcId = ctx.requireId(d.vpc)
      // Group names are unique per VPC: after a lost answer the retry finds it by name.
      const find = async () =>
        (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [Name] }, { Name: 'vpc-id', Values: [VpcId] }] }))).SecurityGroups?.[0]?.GroupId
      const id = await createOnce(ctx, 'CreateSecurityGroup', find, async () => {
        try {
          return (await ec2.send(new CreateSecurityGroupCommand({ GroupName: Name, Description: d.description, VpcId, TagSpecifications: spec('security-group', Tags) }))).GroupId!
        } catch (err) {
          const found = errorName(err) === 'InvalidGroup.Duplicate' ? await find() : undefined
          if (found === undefined) throw err
          return found
        }
      })
      return done(id, { rules: [] })
    }
    case 'instance':
      return createInstance(ctx, d)
    case 'target-group': {
      const VpcId = ctx.requireId(d.vpc)
      const r = await ctx.call('CreateTargetGroup', () =>
        elb.send(new CreateTargetGroupCommand({ Name: d.name, Protocol: 'HTTP', Port: d.port, VpcId, TargetType: 'instance', HealthCheckPath: d.healthPath, ...HEALTH_CHECK, Tags })),
      )
      const arn = r.TargetGroups![0]!.TargetGroupArn!
      await ctx.call('ModifyTargetGroupAttributes', () =>
        elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: DEREGISTRATION_DELAY, Value: String(d.deregistrationDelaySeconds) }] })),
      )
      return done(arn, { targets: [] })
    }
    case 'load-balancer': {
      const Subnets = d.subnets.map((s) => ctx.requireId(s))
      const SecurityGroups = [ctx.requireId(d.securityGroup)]
      const r = await ctx.call('CreateLoadBalancer', () => elb.send(new CreateLoadBalancerCommand({ Name: d.name, Subnets, SecurityGroups, Scheme: 'internet-facing', Type: 'application', Tags })))
      const arn = r.LoadBalancers![0]!.LoadBalancerArn!
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerState.html: provisioning → active | failed.
      await pollUntil(ctx, `load balancer ${d.key} active`, async () => {
        const x = await ctx.call('DescribeLoadBalancers', () => elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })), { notFound: true })
        return outcome(x.LoadBalancers?.[0]?.State?.Code, ['active'], ['failed'])
      }, d.key)
      return done(arn, { dnsName: r.LoadBalancers![0]!.DNSName, subnets: Subnets, securityGroups: SecurityGroups })
    }
    case 'listener': {
      const LoadBalancerArn = ctx.requireId(d.loadBalancer)
      const TargetGroupArn = ctx.requireId(d.targetGroup)
      const https = d.certificateArn !== undefined
      const r = await ctx.call('CreateListener', () =>
        elb.send(
          new CreateListenerCommand({
            LoadBalancerArn, Port: d.port, Protocol: https ? 'HTTPS' : 'HTTP',
            ...(https ? { Certificates: [{ CertificateArn: d.certificateArn }], SslPolicy: SSL_POLICY } : {}),
            DefaultActions: [{ Type: 'forward', TargetGroupArn }], Tags,
          }),
        ),
      )
      return done(r.Listeners![0]!.ListenerArn!, { port: d.port, protocol: https ? 'HTTPS' : 'HTTP', certificateArn: d.certificateArn, targetGroup: TargetGroupArn })
    }
  }
}
