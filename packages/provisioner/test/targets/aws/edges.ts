// Edge branches of the AWS target: unusual AWS answers and errors in the middle of a wait.
import t from 'tap'
import { awsTarget } from '../../../src/targets/aws/aws-target.js'
import type { ProgressEvent } from '../../../src/targets/aws/clients.js'
import { applyStack } from '../../../src/targets/aws/engine/apply.js'
import { destroyStack } from '../../../src/targets/aws/engine/destroy.js'
import { formatPlan, planStack } from '../../../src/targets/aws/engine/plan.js'
import { FakeAws } from './fixtures/fake-aws.js'
import { makeStack } from '../../fixtures/stack.js'

const stack = makeStack()

/** Inject a fault once a progress event of this key shows up (mid-run). */
function setup(on?: { event: string; key: string; fault: [string, string, { region?: string; times?: number }?] }) {
  const fake = new FakeAws()
  const deps = {
    clients: fake.clients, sleep: fake.sleep,
    onProgress: (e: ProgressEvent) => {
      if (on !== undefined && e.event === on.event && e.key === on.key) {
        fake.fail(...on.fault)
        on = undefined
      }
    },
  }
  return { fake, deps }
}

t.test('an HTTPS listener on an empty account is planned as such', async (t) => {
  const { deps } = setup()
  const https = makeStack((s) => void (s.alb = { ...s.alb, listenerPort: 443, certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/c' }))
  t.match(formatPlan(await planStack(https, deps)), /HTTPS :443 -> primary\/tg\/app/)
})

t.test('a lost CreateSecurityGroup answer that comes back as InvalidGroup.Duplicate adopts the group', async (t) => {
  const { fake, deps } = setup()
  fake.fail('CreateSecurityGroup', 'InvalidGroup.Duplicate', { after: true })
  await applyStack(stack, deps)
  t.equal(fake.ofType('sg').length, 5)
})

t.test('an instance that terminates right after launch is launched again with the next token', async (t) => {
  const { fake, deps } = setup()
  fake.launchFailures = 1
  await applyStack(stack, deps)
  const runs = fake.calls.filter((c) => c.command === 'RunInstances')
  t.equal(runs.length, 8)
  t.not(runs[0]!.input['ClientToken'], runs[1]!.input['ClientToken'])
  t.equal(fake.ofType('instance').filter((i) => i.data['state'] === 'running').length, 7)
})

t.test('RunInstances errors other than a parameter mismatch fail the apply', async (t) => {
  const { fake, deps } = setup()
  fake.fail('RunInstances', 'InsufficientInstanceCapacity')
  await t.rejects(applyStack(stack, deps), { code: 'PROV_AWS_CALL_FAILED', details: { awsError: 'InsufficientInstanceCapacity' } })
})

t.test('a hand-added port range is described as such', async (t) => {
  const { fake, deps } = setup()
  await applyStack(stack, deps)
  fake.addRule(fake.ofType('sg')[0]!.id, { IpProtocol: 'tcp', FromPort: 1000, ToPort: 2000, IpRanges: [{ CidrIp: '10.0.0.0/8' }] })
  fake.addRule(fake.ofType('sg')[0]!.id, { IpProtocol: '50', IpRanges: [{ CidrIp: '10.0.0.0/8' }] })
  t.match(formatPlan(await planStack(stack, deps)), /revoke tcp\/1000-2000 from 10\.0\.0\.0\/8, 50 from 10\.0\.0\.0\/8/)
})

t.test('errors while polling during destroy and accept are not swallowed', async (t) => {
  const lb = setup({ event: 'delete', key: 'primary/alb', fault: ['DescribeLoadBalancers', 'AccessDenied'] })
  await applyStack(stack, lb.deps)
  await t.rejects(destroyStack(stack, lb.deps, { confirm: true }), { code: 'PROV_AWS_CALL_FAILED', details: { call: 'DescribeLoadBalancers' } })
  const gone = setup({ event: 'delete', key: 'primary/vpce/s3', fault: ['DescribeVpcEndpoints', 'InvalidVpcEndpointId.NotFound'] })
  await applyStack(stack, gone.deps)
  await destroyStack(stack, gone.deps, { confirm: true })
  t.same(gone.fake.live(), [], 'an endpoint AWS no longer knows is deleted')
  const denied = setup({ event: 'delete', key: 'primary/vpce/s3', fault: ['DescribeVpcEndpoints', 'AccessDenied'] })
  await applyStack(stack, denied.deps)
  await t.rejects(destroyStack(stack, denied.deps, { confirm: true }), { code: 'PROV_AWS_CALL_FAILED', details: { call: 'DescribeVpcEndpoints' } })
  const peer = setup({ event: 'update', key: 'primary/peering', fault: ['DescribeVpcPeeringConnections', 'AccessDenied', { region: 'eu-central-1' }] })
  await t.rejects(applyStack(stack, peer.deps), { code: 'PROV_AWS_CALL_FAILED', details: { call: 'DescribeVpcPeeringConnections' } })
})

t.test('secrets with the default generator', async (t) => {
  const fake = new FakeAws()
  const s = await awsTarget({ clients: fake.clients, sleep: fake.sleep }).secrets.ensure(stack)
  t.match(s['app-password'], /^[A-Za-z0-9_-]{43}$/)
})
