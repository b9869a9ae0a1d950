import t from 'tap'
import { applyStack } from '../../../../src/targets/aws/engine/apply.js'
import { destroyStack } from '../../../../src/targets/aws/engine/destroy.js'
import { formatPlan, planStack } from '../../../../src/targets/aws/engine/plan.js'
import { ProvisionerError } from '../../../../src/errors.js'
import { FakeAws } from '../fixtures/fake-aws.js'
import { makeStack } from '../../../fixtures/stack.js'

const stack = makeStack()
const setup = () => {
  const fake = new FakeAws()
  const sleeps: number[] = []
  let n = 0
  const deps = { clients: fake.clients, sleep: async (ms: number) => { sleeps.push(ms); await fake.sleep(ms) }, generateSecret: () => `s3cret-value-${++n}` }
  return { fake, sleeps, deps }
}

t.test('apply on an empty account creates the whole stack', async (t) => {
  const { fake, deps } = setup()
  const events: string[] = []
  const report = await applyStack(stack, { ...deps, onProgress: (e) => events.push(`${e.event} ${e.key}`) })
  t.equal(report.kept.length, 0)
  t.equal(report.deleted.length, 0)
  t.ok(events.includes('create primary/vpc'))
  t.equal(fake.ofType('vpc').length, 2)
  t.equal(fake.ofType('subnet').length, 8)
  t.equal(fake.ofType('nat').length, 2)
  t.equal(fake.ofType('sg').length, 5)
  const instances = fake.ofType('instance')
  t.equal(instances.length, 7, 'bastion + 3 db + 2 app + 1 dr')
  for (const i of instances) {
    const input = i.data['input']
    t.equal(input.MetadataOptions.HttpTokens, 'required', 'IMDSv2 required')
    t.same(input.BlockDeviceMappings[0].Ebs, { VolumeSize: input.BlockDeviceMappings[0].Ebs.VolumeSize, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true })
    t.match(input.ImageId, /^ami-debian13-/)
    t.match(input.ClientToken, /^[0-9a-f]{64}$/)
  }
  t.equal(instances.filter((i) => i.data['publicIp'] !== undefined).length, 1, 'only the bastion has a public IP')
  const peering = fake.ofType('peering')[0]!
  t.equal(peering.data['status'], 'active')
  const tg = fake.ofType('tg')[0]!
  t.equal(tg.data['input'].HealthCheckPath, '/readyz')
  t.equal(tg.data['attributes']['deregistration_delay.timeout_seconds'], '15')
  t.equal((tg.data['targets'] as string[]).length, 2)
  const params = fake.ofType('parameter')
  t.equal(params.length, 10, '5 secrets in each region')
  t.ok(params.every((p) => p.data['type'] === 'SecureString'))
  const primary = params.find((p) => p.region === 'eu-west-1' && p.data['name'] === '/birthday-ha/bday-prod/app-password')!
  const dr = params.find((p) => p.region === 'eu-central-1' && p.data['name'] === '/birthday-ha/bday-prod/app-password')!
  t.equal(primary.data['value'], dr.data['value'], 'the DR copy holds the same value')
  const rtbs = fake.ofType('rtb')
  t.ok(rtbs.filter((r) => r.data['main'] !== true).every((r) => (r.data['associations'] as unknown[]).length > 0))
  t.equal(fake.ofType('vpce').length, 1, 'the S3 gateway endpoint')
})

t.test('the peering is accepted in the peer region with its client', async (t) => {
  const { fake, deps } = setup()
  await applyStack(stack, deps)
  const accepts = fake.calls.filter((c) => c.command === 'AcceptVpcPeeringConnection')
  t.equal(accepts.length, 1)
  t.equal(accepts[0]!.region, 'eu-central-1')
  const creates = fake.calls.filter((c) => c.command === 'CreateVpcPeeringConnection')
  t.equal(creates[0]!.region, 'eu-west-1')
  t.equal(creates[0]!.input['PeerRegion'], 'eu-central-1')
})

t.test('a second apply makes no mutating call and the plan is all keep', async (t) => {
  const { fake, deps } = setup()
  await applyStack(stack, deps)
  const before = fake.calls.length
  const report = await applyStack(stack, deps)
  const second = fake.calls.slice(before)
  t.same(second.filter((c) => !/^(Describe|Get|List)/.test(c.command)), [], 'zero mutating calls')
  t.equal(report.created.length, 0)
  t.equal(report.updated.length, 0)
  const plan = await planStack(stack, deps)
  t.same(plan.summary, { create: 0, update: 0, replace: 0, keep: plan.items.length, delete: 0 })
})

t.test('plan on an empty account lists creates and never shows a secret', async (t) => {
  const { fake, deps } = setup()
  const plan = await planStack(stack, deps)
  t.equal(fake.mutatingCalls().length, 0, 'plan only reads')
  t.equal(plan.summary.create, plan.items.length)
  const text = formatPlan(plan)
  t.match(text, /\+ primary\/vpc\s+vpc\s+eu-west-1/)
  t.match(text, /allow tcp\/5432 from primary\/sg\/app/)
  t.match(text, /value never shown/)
  t.match(text, /IMDSv2 required/)
  await applyStack(stack, deps)
  const after = JSON.stringify(await planStack(stack, deps)) + formatPlan(await planStack(stack, deps))
  for (const s of fake.secretsSeen) t.notOk(after.includes(s), 'no secret value in plan output')
})

t.test('apply resumes after a failure halfway', async (t) => {
  const { fake, deps } = setup()
  fake.fail('CreateTargetGroup', 'InternalFailure')
  const err = await applyStack(stack, deps).catch((e: unknown) => e)
  t.ok(err instanceof ProvisionerError)
  t.equal((err as ProvisionerError).code, 'PROV_AWS_CALL_FAILED')
  t.equal(fake.ofType('instance').length, 7, 'hosts were created before the failure')
  t.equal(fake.ofType('tg').length, 0)
  const report = await applyStack(stack, deps)
  t.same(report.created, ['primary/tg/app', 'primary/alb', 'primary/listener'])
  t.equal(fake.ofType('instance').length, 7, 'no host created twice')
  t.equal(fake.ofType('vpc').length, 2)
})

t.test('resume finds half-configured resources and finishes them', async (t) => {
  const { fake, deps } = setup()
  fake.fail('AuthorizeSecurityGroupIngress', 'InternalFailure')
  await t.rejects(applyStack(stack, deps), { code: 'PROV_AWS_CALL_FAILED' })
  const plan = await planStack(stack, deps)
  const alb = plan.items.find((i) => i.key === 'primary/sg/alb')!
  t.equal(alb.action, 'update')
  t.match(formatPlan(plan), /~ primary\/sg\/alb/)
  await applyStack(stack, deps)
  t.equal(fake.ofType('sg').length, 5)
  const again = await planStack(stack, deps)
  t.equal(again.summary.update + again.summary.create, 0)
})

t.test('a lost RunInstances response is retried with the same ClientToken', async (t) => {
  const { fake, deps, sleeps } = setup()
  fake.fail('RunInstances', 'RequestLimitExceeded', { after: true })
  await applyStack(stack, deps)
  const runs = fake.calls.filter((c) => c.command === 'RunInstances')
  t.equal(runs.length, 8, 'one retried call')
  t.equal(runs[0]!.input['ClientToken'], runs[1]!.input['ClientToken'])
  t.equal(fake.ofType('instance').length, 7, 'no double create')
  t.ok(sleeps.includes(500))
})

t.test('eventual consistency and throttling are retried with backoff', async (t) => {
  const { fake, deps, sleeps } = setup()
  fake.fail('CreateSubnet', 'InvalidVpcID.NotFound', { times: 2 })
  fake.fail('DescribeVpcs', 'Throttling')
  fake.fail('CreateNatGateway', 'InvalidSubnetID.NotFound', { region: 'eu-central-1' })
  await applyStack(stack, deps)
  t.same(sleeps.slice(0, 3), [500, 500, 1000])
  t.equal(fake.ofType('subnet').length, 8)
})

t.test('retries give up after the limit with the AWS error as cause', async (t) => {
  const { fake, deps } = setup()
  fake.fail('CreateVpc', 'RequestLimitExceeded', { times: 8 })
  const err = (await applyStack(stack, deps).catch((e: unknown) => e)) as ProvisionerError
  t.equal(err.code, 'PROV_AWS_CALL_FAILED')
  t.equal((err.cause as Error).name, 'RequestLimitExceeded')
  t.equal(err.details['call'], 'CreateVpc')
})

t.test('missing credentials surface as PROV_NO_CREDENTIALS', async (t) => {
  const { fake, deps } = setup()
  fake.fail('DescribeVpcs', 'CredentialsProviderError')
  await t.rejects(planStack(stack, deps), { code: 'PROV_NO_CREDENTIALS' })
})

t.test('a shrunk stack deletes the orphaned host', async (t) => {
  const { fake, deps } = setup()
  await applyStack(makeStack((s) => void (s.app.count = 3)), deps)
  t.equal(fake.ofType('instance').length, 8)
  const plan = await planStack(stack, deps)
  t.same(plan.items.filter((i) => i.action === 'delete').map((i) => i.key), ['orphan:bday-prod-primary-host-app-3'])
  const report = await applyStack(stack, deps)
  t.same(report.deleted, ['orphan:bday-prod-primary-host-app-3'])
  t.equal(fake.ofType('instance').length, 7)
})

t.test('drifted rules and routes are put back', async (t) => {
  const { fake, deps } = setup()
  await applyStack(stack, deps)
  const alb = fake.ofType('sg').find((g) => g.data['name'] === 'bday-prod-primary-sg-alb')!
  fake.addRule(alb.id, { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] })
  const rtb = fake.ofType('rtb').find((r) => r.tags.some((x) => x.Value === 'bday-prod-primary-rt-private'))!
  rtb.data['routes'] = (rtb.data['routes'] as { DestinationCidrBlock: string }[]).map((r) => (r.DestinationCidrBlock === '0.0.0.0/0' ? { ...r, NatGatewayId: 'nat-stale' } : r))
  const igw = fake.ofType('igw').find((r) => r.region === 'eu-west-1')!
  igw.data['attachments'] = []
  const tg = fake.ofType('tg')[0]!
  tg.data['targets'] = []
  const plan = await planStack(stack, deps)
  t.same(plan.items.filter((i) => i.action === 'update').map((i) => i.key).sort(), ['primary/igw', 'primary/rt/private', 'primary/sg/alb', 'primary/tg/app'])
  const report = await applyStack(stack, deps)
  t.equal(report.updated.length, 4)
  t.ok(fake.calls.some((c) => c.command === 'ReplaceRoute'))
  t.ok(fake.calls.some((c) => c.command === 'RevokeSecurityGroupIngress'))
  t.equal((tg.data['targets'] as string[]).length, 2)
  const clean = await planStack(stack, deps)
  t.equal(clean.summary.update, 0)
})

t.test('a pending NAT gateway is waited for on resume', async (t) => {
  const { fake, deps } = setup()
  await applyStack(stack, deps)
  fake.ofType('nat')[0]!.data['state'] = 'pending'
  const plan = await planStack(stack, deps)
  t.match(formatPlan(plan), /wait until available/)
  const waits: string[] = []
  const sleep = async () => void (fake.ofType('nat')[0]!.data['state'] = 'available')
  const report = await applyStack(stack, { ...deps, sleep, onProgress: (e) => void (e.event === 'wait' && waits.push(String(e.detail))) })
  t.same(report.updated, ['primary/nat'])
  t.ok(waits.some((w) => w.includes('NAT gateway primary/nat available: pending')), 'the wait is shown')
})

t.test('destroy needs confirmation, then leaves nothing', async (t) => {
  const { fake, deps } = setup()
  await applyStack(stack, deps)
  await t.rejects(destroyStack(stack, deps, { confirm: false }), { code: 'PROV_NOT_CONFIRMED' })
  t.equal(fake.mutatingCalls().filter((c) => c.command.startsWith('Delete') || c.command.startsWith('Terminate')).length, 0)
  fake.fail('DeleteSubnet', 'DependencyViolation')
  const deleted = await destroyStack(stack, deps, { confirm: true })
  t.ok(deleted.includes('primary/vpc'))
  t.same(fake.live().map((r) => `${r.type} ${r.id}`), [], 'zero resources left')
  const plan = await planStack(stack, deps)
  t.equal(plan.summary.keep + plan.summary.delete, 0)
  t.same(await destroyStack(stack, deps, { confirm: true }), [], 'destroying twice is a no-op')
})
