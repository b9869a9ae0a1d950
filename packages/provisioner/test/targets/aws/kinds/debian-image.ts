// A newer Debian build is not a replacement, another Debian release is (Terraform users write
// `lifecycle { ignore_changes = [ami] }` for the first). Against the fake, which publishes Debian
// builds under Debian's SSM parameters and models DescribeImages of a deregistered AMI.
import * as EC2 from '@aws-sdk/client-ec2'
import t from 'tap'
import { applyStack } from '../../../../src/targets/aws/engine/apply.js'
import { DEBIAN_AMI_PARAMETER, EngineContext } from '../../../../src/targets/aws/engine/context.js'
import { formatPlan, planStack } from '../../../../src/targets/aws/engine/plan.js'
import { TAG_OS_RELEASE, instanceRelease, releaseOfImageName } from '../../../../src/targets/aws/kinds/debian-image.js'
import { FakeAws, TIMINGS, type FakeResource } from '../fixtures/fake-aws.js'
import { makeStack } from '../../../fixtures/stack.js'

const stack = makeStack()
const P = stack.primary.region
const D = stack.dr.region

async function applied() {
  const fake = new FakeAws()
  let n = 0
  const deps = { clients: fake.clients, sleep: fake.sleep, generateSecret: () => `s3cret-value-${++n}` }
  await applyStack(stack, deps)
  return { fake, deps }
}
const mutating = (fake: FakeAws, from: number) => fake.calls.slice(from).filter((c) => !/^(Describe|Get|List)/.test(c.command))
const host = (fake: FakeAws, name: string): FakeResource => fake.ofType('instance').find((r) => r.tags.some((x) => x.Key === 'Name' && x.Value === `bday-prod-${name}`))!
const osTag = (r: FakeResource) => r.tags.find((x) => x.Key === TAG_OS_RELEASE)?.Value
/** A host as the provisioner made it before issue 8: from the Debian 12 parameter, without the release tag. */
function madeFromDebian12(fake: FakeAws, r: FakeResource, tagged = false): string {
  const old = fake.latestDebian(r.region, '12')
  r.data['image'] = old
  r.tags = r.tags.filter((x) => x.Key !== TAG_OS_RELEASE)
  if (tagged) r.tags.push({ Key: TAG_OS_RELEASE, Value: '12' })
  return old
}

t.test('the parameter is Debian 13\'s, and Debian\'s AMI names give the release', async (t) => {
  t.equal(DEBIAN_AMI_PARAMETER, '/aws/service/debian/release/13/latest/amd64')
  t.equal(releaseOfImageName('debian-13-amd64-20251117-2299'), '13')
  t.equal(releaseOfImageName('debian-12-amd64-20250901-2221'), '12')
  t.equal(releaseOfImageName('debian-13-backports-amd64-20250810-2160'), '13', 'the backports variant is the same release')
  t.equal(releaseOfImageName('ubuntu/images/hvm-ssd/ubuntu-noble-24.04-amd64-server-20250101'), undefined)
  t.equal(releaseOfImageName(undefined), undefined)
  const { fake } = await applied()
  for (const i of fake.ofType('instance')) {
    t.equal(i.data['image'], fake.amiOf(i.region))
    t.equal(osTag(i), '13', `${i.id} carries the release it was made from`)
  }
})

t.test('a newer build of the same release: plan notes it, apply neither refuses nor changes anything; new hosts get it', async (t) => {
  const { fake, deps } = await applied()
  const old = fake.amiOf(P)
  const newer = fake.publishDebian(P, '13', '20251201', '2311')
  const plan = await planStack(stack, deps)
  t.same({ create: plan.summary.create, update: plan.summary.update, replace: plan.summary.replace, delete: plan.summary.delete }, { create: 0, update: 0, replace: 0, delete: 0 })
  const bastion = plan.items.find((i) => i.key === 'primary/host/bastion')!
  t.equal(bastion.action, 'keep')
  t.same(bastion.notes, [`newer AMI build available: ${newer} (debian-13-amd64-20251201-2311); this host keeps ${old}, new hosts get the newer one`])
  t.same(plan.items.find((i) => i.key === 'dr/host/db-1')!.notes, [], 'no newer build in the DR region')
  t.match(formatPlan(plan), /= primary\/host\/bastion .*\n {6}note: newer AMI build available/)
  t.notOk(/to replace\napply refuses/.test(formatPlan(plan)))
  const before = fake.calls.length
  const report = await applyStack(stack, deps)
  t.same(report.replaced, [])
  t.same(mutating(fake, before), [], 'zero mutating calls')
  t.notOk(fake.calls.slice(before).some((c) => c.command === 'DescribeImages' && c.input['ImageIds'][0] === old), 'the tag tells the release: the old AMI is not even looked up')
  // A host that goes away is made anew from the newer build.
  const app1 = host(fake, 'primary-host-app-1')
  await fake.clients.ec2(P).send(new EC2.TerminateInstancesCommand({ InstanceIds: [app1.id] }))
  fake.advance(TIMINGS.instanceShuttingDown)
  t.same((await applyStack(stack, deps)).created, ['primary/host/app-1'])
  const again = host(fake, 'primary-host-app-1')
  t.equal(again.data['image'], newer)
  t.equal(host(fake, 'primary-host-app-2').data['image'], old, 'the others keep theirs')
})

t.test('another release (host from Debian 12, stack on 13): needs replacement, refused without allowReplace', async (t) => {
  const { fake, deps } = await applied()
  const old = madeFromDebian12(fake, host(fake, 'primary-host-db-1'))
  const plan = await planStack(stack, deps)
  const db1 = plan.items.find((i) => i.key === 'primary/host/db-1')!
  t.equal(db1.action, 'replace')
  t.same(db1.changes, [`needs replacement: Debian 12 -> 13 (AMI ${old} -> ${fake.amiOf(P)})`])
  t.same(db1.notes, [])
  t.equal(plan.summary.replace, 1)
  const before = fake.calls.length
  await t.rejects(applyStack(stack, deps), { code: 'PROV_NEEDS_REPLACEMENT', message: /primary\/host\/db-1 \(Debian 12 -> 13/, details: { replace: ['primary/host/db-1'] } })
  t.same(mutating(fake, before), [], 'refused before any change')
  t.same((await applyStack(stack, { ...deps, allowReplace: true })).replaced, ['primary/host/db-1'])
  const made = host(fake, 'primary-host-db-1')
  t.equal(made.data['image'], fake.amiOf(P))
  t.equal(osTag(made), '13')
  t.equal((await planStack(stack, deps)).summary.replace, 0)
})

t.test('a deregistered old AMI: the tag still tells; without a tag the host is kept and plan says the release is unknown', async (t) => {
  const { fake, deps } = await applied()
  // Tagged 12 by this version, the 12 AMI since deregistered by Debian: still another release.
  const old = madeFromDebian12(fake, host(fake, 'dr-host-db-1'), true)
  fake.deregistered.add(old)
  const item = async (key: string) => (await planStack(stack, deps)).items.find((i) => i.key === key)!
  t.match((await item('dr/host/db-1')).changes, [/^needs replacement: Debian 12 -> 13/])
  // Untagged (made before the tag existed), AMI deregistered while the host still uses it: DescribeImages answers an empty list.
  host(fake, 'dr-host-db-1').tags = host(fake, 'dr-host-db-1').tags.filter((x) => x.Key !== TAG_OS_RELEASE)
  const res = await fake.clients.ec2(D).send(new EC2.DescribeImagesCommand({ ImageIds: [old] }))
  t.same(res.Images, [], 'AWS answers an empty list for a deregistered AMI still in use')
  const unknown = await item('dr/host/db-1')
  t.equal(unknown.action, 'keep')
  t.match(unknown.notes, [new RegExp(`^release of AMI ${old} unknown \\(not described any more, no birthday-ha:os-release tag\\): host kept`)])
  const before = fake.calls.length
  await applyStack(stack, deps)
  t.same(mutating(fake, before), [], 'apply keeps it and changes nothing')
  // An AMI id that no longer exists at all (no instance uses it any more, or never was Debian's): InvalidAMIID.NotFound, the same.
  host(fake, 'dr-host-db-1').data['image'] = 'ami-0123456789abcdef0'
  t.match((await item('dr/host/db-1')).notes, [/^release of AMI ami-0123456789abcdef0 unknown/])
  // Untagged, AMI still described: its Name tells.
  madeFromDebian12(fake, host(fake, 'primary-host-app-2'))
  t.match((await item('primary/host/app-2')).changes, [/^needs replacement: Debian 12 -> 13/])
})

t.test('other DescribeImages errors are not taken for an unknown release', async (t) => {
  const fake = new FakeAws()
  const ctx = new EngineContext(stack, { clients: fake.clients, sleep: fake.sleep })
  fake.fail('DescribeImages', 'UnauthorizedOperation')
  const a = { key: 'primary/host/app-1', kind: 'instance' as const, region: P, id: 'i-1', facts: { imageId: fake.amiOf(P) } }
  await t.rejects(instanceRelease(ctx, a), { code: 'PROV_AWS_CALL_FAILED', message: /UnauthorizedOperation/ })
  t.equal(await instanceRelease(ctx, a), '13')
})
