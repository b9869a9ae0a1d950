import {
  AllocateAddressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  RunInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilNatGatewayAvailable,
  type Tag,
} from '@aws-sdk/client-ec2'
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  waitUntilLoadBalancerAvailable,
} from '@aws-sdk/client-elastic-load-balancing-v2'
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm'
import { ProvisionerError } from '../../../errors.js'
import { nameTag, type ActualResource, type DesiredOf, type DesiredResource } from '../plan/resources.js'
import type { EngineContext } from './context.js'

/** The public SSM parameter of the latest Debian 12 AMI. */
export const DEBIAN_AMI_PARAMETER = '/aws/service/debian/release/12/latest/amd64'

/** Run an SDK waiter; a timeout or failure state becomes `PROV_WAIT_TIMEOUT`. */
export async function waitFor(label: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn()
  } catch (err) {
    throw new ProvisionerError('PROV_WAIT_TIMEOUT', `waiting for ${label} failed: ${(err as Error).message}`, { cause: err, details: { waiter: label } })
  }
}

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
  await ctx.call('PutParameter', () =>
    ctx.deps.clients.ssm(d.region).send(new PutParameterCommand({ Name: d.parameter, Value: value, Type: 'SecureString', Overwrite: false, Tags })),
  )
  return d.parameter
}

async function ami(ctx: EngineContext, region: string): Promise<string> {
  const known = ctx.amis.get(region)
  if (known !== undefined) return known
  const res = await ctx.call('GetParameter', () => ctx.deps.clients.ssm(region).send(new GetParameterCommand({ Name: DEBIAN_AMI_PARAMETER })))
  const id = res.Parameter!.Value!
  ctx.amis.set(region, id)
  return id
}

async function createInstance(ctx: EngineContext, d: DesiredOf<'instance'>): Promise<ActualResource> {
  const ec2 = ctx.deps.clients.ec2(d.region)
  const Tags = ctx.tags(d)
  const db = d.hostRole === 'db' || d.hostRole === 'dr-db'
  const ImageId = await ami(ctx, d.region)
  const res = await ctx.call(
    'RunInstances',
    () =>
      ec2.send(
        new RunInstancesCommand({
          ImageId,
          InstanceType: d.instanceType as never,
          MinCount: 1,
          MaxCount: 1,
          ClientToken: d.clientToken,
          KeyName: ctx.stack.sshKeyName,
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: d.volumeGiB, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }],
          NetworkInterfaces: [
            { DeviceIndex: 0, SubnetId: ctx.requireId(d.subnet), Groups: [ctx.requireId(d.securityGroup)], PrivateIpAddress: d.privateIp, AssociatePublicIpAddress: d.publicIp },
          ],
          ...(db ? { IamInstanceProfile: { Name: ctx.stack.backups.instanceProfile } } : {}),
          TagSpecifications: [{ ResourceType: 'instance', Tags }, { ResourceType: 'volume', Tags }],
        }),
      ),
    { notFound: true },
  )
  const id = res.Instances![0]!.InstanceId!
  await waitFor(`instance ${d.key}`, () => waitUntilInstanceRunning({ client: ec2, maxWaitTime: ctx.deps.maxWaitSeconds }, { InstanceIds: [id] }))
  return { key: d.key, kind: d.kind, region: d.region, id, facts: { privateIp: d.privateIp, state: 'running' } }
}

/**
 * Create one resource in its bare form (tagged, no rules/routes/targets yet:
 * {@link reconcileActions} adds those) and return what now exists.
 */
export async function createResource(ctx: EngineContext, d: DesiredResource): Promise<ActualResource> {
  const ec2 = ctx.deps.clients.ec2(d.region)
  const elb = ctx.deps.clients.elbv2(d.region)
  const Tags = ctx.tags(d)
  const done = (id: string, facts: Record<string, unknown> = {}): ActualResource => ({ key: d.key, kind: d.kind, region: d.region, id, facts })
  switch (d.kind) {
    case 'secret':
      return done(await createSecret(ctx, d))
    case 'vpc': {
      const r = await ctx.call('CreateVpc', () => ec2.send(new CreateVpcCommand({ CidrBlock: d.cidr, TagSpecifications: spec('vpc', Tags) })))
      return done(r.Vpc!.VpcId!)
    }
    case 'internet-gateway': {
      const r = await ctx.call('CreateInternetGateway', () => ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: spec('internet-gateway', Tags) })))
      return done(r.InternetGateway!.InternetGatewayId!, { attachedTo: [] })
    }
    case 'subnet': {
      const VpcId = ctx.requireId(d.vpc)
      const r = await ctx.call('CreateSubnet', () => ec2.send(new CreateSubnetCommand({ VpcId, CidrBlock: d.cidr, AvailabilityZone: d.az, TagSpecifications: spec('subnet', Tags) })), { notFound: true })
      return done(r.Subnet!.SubnetId!)
    }
    case 'elastic-ip': {
      const r = await ctx.call('AllocateAddress', () => ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: spec('elastic-ip', Tags) })))
      return done(r.AllocationId!, { publicIp: r.PublicIp })
    }
    case 'nat-gateway': {
      const SubnetId = ctx.requireId(d.subnet)
      const AllocationId = ctx.requireId(d.eip)
      const r = await ctx.call(
        'CreateNatGateway',
        () => ec2.send(new CreateNatGatewayCommand({ SubnetId, AllocationId, ClientToken: nameTag(ctx.stack.name, d.key), TagSpecifications: spec('natgateway', Tags) })),
        { notFound: true },
      )
      return done(r.NatGateway!.NatGatewayId!, { state: r.NatGateway!.State })
    }
    case 'vpc-peering': {
      const VpcId = ctx.requireId(d.vpc)
      const PeerVpcId = ctx.requireId(d.peerVpc)
      const r = await ctx.call(
        'CreateVpcPeeringConnection',
        () => ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId, PeerVpcId, PeerRegion: d.peerRegion, TagSpecifications: spec('vpc-peering-connection', Tags) })),
        { notFound: true },
      )
      return done(r.VpcPeeringConnection!.VpcPeeringConnectionId!, { status: r.VpcPeeringConnection!.Status?.Code })
    }
    case 'route-table': {
      const VpcId = ctx.requireId(d.vpc)
      const r = await ctx.call('CreateRouteTable', () => ec2.send(new CreateRouteTableCommand({ VpcId, TagSpecifications: spec('route-table', Tags) })), { notFound: true })
      return done(r.RouteTable!.RouteTableId!, { routes: [], associations: [] })
    }
    case 'security-group': {
      const VpcId = ctx.requireId(d.vpc)
      const r = await ctx.call(
        'CreateSecurityGroup',
        () => ec2.send(new CreateSecurityGroupCommand({ GroupName: nameTag(ctx.stack.name, d.key), Description: d.description, VpcId, TagSpecifications: spec('security-group', Tags) })),
        { notFound: true },
      )
      return done(r.GroupId!, { rules: [] })
    }
    case 'instance':
      return createInstance(ctx, d)
    case 'target-group': {
      const VpcId = ctx.requireId(d.vpc)
      const r = await ctx.call('CreateTargetGroup', () =>
        elb.send(
          new CreateTargetGroupCommand({
            Name: d.name, Protocol: 'HTTP', Port: d.port, VpcId, TargetType: 'instance', HealthCheckPath: d.healthPath,
            HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2, Matcher: { HttpCode: '200' }, Tags,
          }),
        ),
      )
      const arn = r.TargetGroups![0]!.TargetGroupArn!
      await ctx.call('ModifyTargetGroupAttributes', () =>
        elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(d.deregistrationDelaySeconds) }] })),
      )
      return done(arn, { targets: [] })
    }
    case 'load-balancer': {
      const Subnets = d.subnets.map((s) => ctx.requireId(s))
      const SecurityGroups = [ctx.requireId(d.securityGroup)]
      const r = await ctx.call('CreateLoadBalancer', () => elb.send(new CreateLoadBalancerCommand({ Name: d.name, Subnets, SecurityGroups, Scheme: 'internet-facing', Type: 'application', Tags })))
      const arn = r.LoadBalancers![0]!.LoadBalancerArn!
      await waitFor(`load balancer ${d.key}`, () => waitUntilLoadBalancerAvailable({ client: elb, maxWaitTime: ctx.deps.maxWaitSeconds }, { LoadBalancerArns: [arn] }))
      return done(arn, { dnsName: r.LoadBalancers![0]!.DNSName })
    }
    case 'listener': {
      const LoadBalancerArn = ctx.requireId(d.loadBalancer)
      const TargetGroupArn = ctx.requireId(d.targetGroup)
      const https = d.certificateArn !== undefined
      const r = await ctx.call('CreateListener', () =>
        elb.send(
          new CreateListenerCommand({
            LoadBalancerArn, Port: d.port, Protocol: https ? 'HTTPS' : 'HTTP',
            ...(https ? { Certificates: [{ CertificateArn: d.certificateArn }], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' } : {}),
            DefaultActions: [{ Type: 'forward', TargetGroupArn }], Tags,
          }),
        ),
      )
      return done(r.Listeners![0]!.ListenerArn!)
    }
  }
}
