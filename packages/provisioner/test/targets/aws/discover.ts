import { EC2Client } from '@aws-sdk/client-ec2'
import * as EC2 from '@aws-sdk/client-ec2'
import * as ELB from '@aws-sdk/client-elastic-load-balancing-v2'
import * as SSM from '@aws-sdk/client-ssm'
import { mockClient } from 'aws-sdk-client-mock'
import t from 'tap'
import { discover } from '../../../src/targets/aws/discover.js'
import { normaliseRules } from '../../../src/targets/aws/kinds/security-group.js'
import { withRetry } from '../../../src/targets/aws/retry.js'
import { ProvisionerError } from '../../../src/errors.js'

const mine = [{ Key: 'birthday-ha:stack', Value: 'x' }]

t.test('sparse AWS answers are tolerated and unknown names become orphans', async (t) => {
  const ec2 = new EC2Client({ region: 'r1' })
  const m = mockClient(ec2)
  m.on(EC2.DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] })
  m.on(EC2.DescribeInternetGatewaysCommand).resolves({ InternetGateways: [{ InternetGatewayId: 'igw-1', Tags: [{ Key: 'Name', Value: 'x-primary-igw' }] }] })
  m.on(EC2.DescribeSubnetsCommand).resolves({})
  m.on(EC2.DescribeAddressesCommand).resolves({})
  m.on(EC2.DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: 'deleting' }, { NatGatewayId: 'nat-2', State: 'failed' }, { NatGatewayId: 'nat-3', State: 'deleted' }, { NatGatewayId: 'nat-4', State: 'pending' }] })
  m.on(EC2.DescribeVpcPeeringConnectionsCommand).resolves({
    VpcPeeringConnections: [
      { VpcPeeringConnectionId: 'pcx-0' },
      ...['deleted', 'rejected', 'failed', 'expired'].map((Code) => ({ VpcPeeringConnectionId: `pcx-${Code}`, Status: { Code: Code as never }, RequesterVpcInfo: { Region: 'r1' } })),
    ],
  })
  m.on(EC2.DescribeRouteTablesCommand).resolves({
    RouteTables: [{ RouteTableId: 'rtb-1' }, { RouteTableId: 'rtb-2', Routes: [{ DestinationCidrBlock: 'a', NatGatewayId: 'nat-4' }, { DestinationCidrBlock: 'b', VpcPeeringConnectionId: 'pcx' }] }],
  })
  m.on(EC2.DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] })
  m.on(EC2.DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [{ VpcEndpointId: 'vpce-1' }, { VpcEndpointId: 'vpce-2', State: 'Deleting' }, { VpcEndpointId: 'vpce-3', State: 'Deleted' }] })
  m.on(EC2.DescribeVolumesCommand).resolves({})
  m.on(EC2.DescribeInstancesCommand).resolves({
    Reservations: [{}, { Instances: [{ InstanceId: 'i-1', State: { Name: 'terminated' } }, { InstanceId: 'i-2' }, { InstanceId: 'i-3', RootDeviceName: '/dev/xvda', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1' } }] }] }],
  })
  const elb = new ELB.ElasticLoadBalancingV2Client({ region: 'r1' })
  const e = mockClient(elb)
  e.on(ELB.DescribeLoadBalancersCommand).resolves({ LoadBalancers: [{ LoadBalancerArn: 'lb1' }, { LoadBalancerArn: 'lb2' }, { LoadBalancerArn: 'lb-other' }] })
  e.on(ELB.DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: 'tg1' }] })
  e.on(ELB.DescribeTagsCommand).callsFake((i: { ResourceArns: string[] }) =>
    i.ResourceArns.includes('l1') ? {} : { TagDescriptions: [{ ResourceArn: 'lb1', Tags: mine }, { ResourceArn: 'tg1', Tags: mine }, { ResourceArn: 'lb2', Tags: mine }, { ResourceArn: 'lb-other' }] },
  )
  e.on(ELB.DescribeTargetHealthCommand).resolves({})
  e.on(ELB.DescribeTargetGroupAttributesCommand).resolves({})
  e.on(ELB.DescribeListenersCommand).callsFake((i: { LoadBalancerArn: string }) => (i.LoadBalancerArn === 'lb1' ? { Listeners: [{ ListenerArn: 'l1' }] } : {}))
  const ssm = new SSM.SSMClient({ region: 'r1' })
  mockClient(ssm).on(SSM.GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/birthday-ha/x/old' }] })
  const found = await discover('x', ['r1'], new Map([['x-primary-igw', 'primary/igw']]), { clients: { ec2: () => ec2, elbv2: () => elb, ssm: () => ssm }, sleep: async () => {} })
  const { actual, gone } = found
  t.same(actual.map((f) => `${f.kind} ${f.key}`), [
    'vpc orphan:vpc-1', 'internet-gateway primary/igw', 'nat-gateway orphan:nat-4', 'route-table orphan:rtb-1', 'route-table orphan:rtb-2', 'vpc-endpoint orphan:vpce-1',
    'security-group orphan:sg-1', 'instance orphan:i-2', 'instance orphan:i-3', 'target-group orphan:tg1', 'load-balancer orphan:lb1', 'listener orphan:l1', 'load-balancer orphan:lb2', 'secret orphan:/birthday-ha/x/old',
  ])
  t.same(gone.map((g) => `${g.kind} ${g.id} ${g.state}`), ['nat-gateway nat-1 deleting', 'nat-gateway nat-2 failed', 'nat-gateway nat-3 deleted', 'instance i-1 terminated'])
  t.same(actual[1]!.facts, { attachedTo: [] })
  t.same(actual[4]!.facts['routes'], [{ destination: 'a', target: 'nat-4' }, { destination: 'b', target: 'pcx' }])
  t.same(actual[5]!.facts, { routeTables: [], state: undefined })
  t.same(actual[7]!.facts['state'], 'unknown')
  t.same(actual[9]!.facts['targets'], [])
})

t.test('normaliseRules flattens sparse permissions', async (t) => {
  t.same(normaliseRules(undefined), [])
  t.same(normaliseRules([{ IpRanges: [{}], UserIdGroupPairs: [{}] }, {}]), [{ protocol: '-1', from: { cidr: '' } }, { protocol: '-1', from: { sg: '' } }])
  t.same(normaliseRules([{ IpProtocol: 'ICMP', FromPort: 8, ToPort: 0, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }]), [{ protocol: 'icmp', fromPort: 8, toPort: 0, from: { cidr: '10.0.0.0/8' } }])
})

t.test('withRetry: non-Error throws and ProvisionerErrors pass through', async (t) => {
  const sleep = async () => {}
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error rejection on purpose: its message is ''
  await t.rejects(withRetry('X', () => Promise.reject('boom'), { sleep }), { code: 'PROV_AWS_CALL_FAILED', details: { awsError: '' } })
  const own = new ProvisionerError('PROV_WAIT_TIMEOUT', 'w')
  t.equal(await withRetry('X', () => Promise.reject(own), { sleep }).catch((e: unknown) => e), own)
})
