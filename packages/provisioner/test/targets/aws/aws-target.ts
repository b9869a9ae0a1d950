import * as EC2 from '@aws-sdk/client-ec2'
import t from 'tap'
import { awsTarget } from '../../../src/targets/aws/aws-target.js'
import { hostName } from '../../../src/targets/aws/machines.js'
import type { SshTarget } from '../../../src/ssh/session.js'
import { FakeAws } from './fixtures/fake-aws.js'
import { makeStack } from '../../fixtures/stack.js'

const stack = makeStack()

function setup() {
  const fake = new FakeAws()
  const opened: SshTarget[] = []
  let n = 0
  const deps = {
    clients: fake.clients, sleep: fake.sleep, stack, generateSecret: () => `gen-${++n}`,
    openSsh: async (x: SshTarget) => {
      opened.push(x)
      return {} as never
    },
  }
  return { fake, deps, opened, target: awsTarget(deps) }
}

t.test('host names of instance keys', async (t) => {
  t.same(['primary/host/bastion', 'primary/host/db-2', 'primary/host/app-1', 'dr/host/db-1'].map(hostName), ['bastion', 'db2', 'app1', 'dr1'])
})

t.test('infrastructure wraps the engine; machines come from EC2 by tag with their state', async (t) => {
  const { fake, target } = setup()
  t.equal(target.kind, 'aws')
  t.ok((await target.infrastructure.machines(stack)).every((m) => m.state === 'missing' && m.id === ''))
  t.equal((await target.infrastructure.plan(stack)).summary.delete, 0)
  const events: string[] = []
  await target.infrastructure.apply(stack, { onProgress: (e) => void events.push(e.event) })
  t.ok(events.includes('create'))
  const machines = await target.infrastructure.machines(stack)
  t.same(machines.map((m) => `${m.name} ${m.role} ${m.ip} ${m.state}`), [
    'bastion bastion 10.10.0.10 running', 'db1 db 10.10.10.10 running', 'db2 db 10.10.11.10 running', 'db3 db 10.10.12.10 running',
    'app1 app 10.10.10.20 running', 'app2 app 10.10.11.20 running', 'dr1 dr-db 10.20.10.10 running',
  ])
  t.notOk('instance' in machines[0]!, 'no AWS objects leak through the interface')
  const db2 = fake.ofType('instance').find((i) => i.data['privateIp'] === '10.10.11.10')!
  db2.data['state'] = 'stopped'
  t.equal((await target.infrastructure.machines(stack)).find((m) => m.name === 'db2')!.state, 'stopped')
  const bigger = makeStack((s) => void (s.instanceTypes = { ...stack.instanceTypes, bastion: 't3.small' }))
  await t.rejects(target.infrastructure.apply(bigger), { code: 'PROV_NEEDS_REPLACEMENT' })
  t.same((await target.infrastructure.apply(bigger, { allowReplace: true })).replaced, ['primary/host/bastion'])
  await t.rejects(target.infrastructure.destroy(stack, { confirm: false }), { code: 'PROV_NOT_CONFIRMED' })
  t.ok((await target.infrastructure.destroy(stack, { confirm: true })).includes('primary/vpc'))
})

t.test('the load balancer: deregister waits for unused, register for healthy, health by host name, url from the ALB DNS name', async (t) => {
  const { fake, target } = setup()
  await t.rejects(target.loadBalancer.health(stack), { code: 'PROV_MISSING_RESOURCE', message: /target group bday-prod-app does not exist yet/ })
  t.equal(await target.loadBalancer.url(stack), undefined)
  await target.infrastructure.apply(stack)
  t.same([...(await target.loadBalancer.health(stack))], [['app1', 'healthy'], ['app2', 'healthy']])
  await target.loadBalancer.deregister(stack, 'app1')
  t.same([...(await target.loadBalancer.health(stack))], [['app1', 'unused'], ['app2', 'healthy']])
  await target.loadBalancer.register(stack, 'app1')
  t.equal((await target.loadBalancer.health(stack)).get('app1'), 'healthy')
  await t.rejects(target.loadBalancer.register(stack, 'db1'), { code: 'PROV_MISSING_RESOURCE', message: /app host db1 does not exist/ })
  fake.targetHealth = (id) => (id === fake.ofType('instance').find((i) => i.data['privateIp'] === '10.10.11.20')!.id ? 'unhealthy' : 'healthy')
  await t.rejects(target.loadBalancer.register(stack, 'app2'), { code: 'PROV_HOST_UNHEALTHY', details: { host: 'app2' } })
  t.equal(await target.loadBalancer.url(stack), 'http://bday-prod-alb-1234.eu-west-1.elb.amazonaws.com/')
  fake.ofType('listener')[0]!.data['port'] = 8443
  fake.ofType('listener')[0]!.data['protocol'] = 'HTTPS'
  t.equal(await target.loadBalancer.url(stack), 'https://bday-prod-alb-1234.eu-west-1.elb.amazonaws.com:8443/')
  fake.ofType('listener')[0]!.data['state'] = 'deleted'
  t.equal(await target.loadBalancer.url(stack), 'http://bday-prod-alb-1234.eu-west-1.elb.amazonaws.com/', 'no listener yet: the stack port')
  fake.fail('DescribeLoadBalancers', 'AccessDenied')
  await t.rejects(target.loadBalancer.url(stack), { code: 'PROV_AWS_CALL_FAILED' })
  fake.fail('DescribeTargetGroups', 'AccessDenied')
  await t.rejects(target.loadBalancer.health(stack), { code: 'PROV_AWS_CALL_FAILED' })
  fake.ofType('tg')[0]!.data['targets'] = []
  fake.fail('DescribeTargetHealth', 'AccessDenied', { times: 8 })
  await t.rejects(target.loadBalancer.deregister(stack, 'app1'), { code: 'PROV_AWS_CALL_FAILED' })
})

t.test('secrets: ensure creates the missing ones (same value in both regions, never overwritten), read decrypts', async (t) => {
  const { fake, target } = setup()
  const first = await target.secrets.ensure(stack)
  t.same(Object.values(first), ['gen-1', 'gen-2', 'gen-3', 'gen-4', 'gen-5'])
  t.equal(fake.ofType('parameter').length, 10)
  const dr = fake.ofType('parameter').find((p) => p.region === 'eu-central-1' && String(p.data['name']).endsWith('app-password'))!
  dr.data['state'] = 'deleted'
  const primary = fake.ofType('parameter').find((p) => p.region === 'eu-west-1' && String(p.data['name']).endsWith('rest-password'))!
  primary.data['state'] = 'deleted'
  t.same(await target.secrets.ensure(stack), first, 'copied back from the other region, nothing regenerated')
  t.same(await target.secrets.read(stack), first)
  const again = fake.ofType('parameter').find((p) => p.region === 'eu-central-1' && String(p.data['name']).endsWith('app-password'))!
  again.data['state'] = 'deleted'
  fake.fail('PutParameter', 'RequestLimitExceeded', { after: true })
  t.same(await target.secrets.ensure(stack), first, 'a lost PutParameter answer keeps the stored value')
  fake.fail('GetParameter', 'AccessDeniedException')
  await t.rejects(target.secrets.ensure(stack), { code: 'PROV_AWS_CALL_FAILED' })
  fake.ofType('parameter').find((p) => p.region === 'eu-central-1')!.data['state'] = 'deleted'
  fake.fail('PutParameter', 'ValidationException')
  await t.rejects(target.secrets.ensure(stack), { code: 'PROV_AWS_CALL_FAILED' })
})

t.test('sessions go through the bastion public address with the jump', async (t) => {
  const { fake, deps, opened, target } = setup()
  await t.rejects(target.sessions({ privateKey: 'K', username: 'admin' }), { code: 'PROV_MISSING_RESOURCE', message: /bastion does not exist yet/ })
  await t.rejects(awsTarget({ clients: fake.clients }).sessions({ privateKey: 'K', username: 'admin' }), { code: 'PROV_MISSING_RESOURCE', message: /needs the stack/ })
  await awsTarget(deps).infrastructure.apply(stack)
  const factory = await target.sessions({ privateKey: 'K', username: 'admin' })
  await factory({ host: '10.10.10.10', name: 'db1' })
  const bastion = fake.ofType('instance').find((i) => i.data['publicIp'] !== undefined)!
  t.same(opened, [{ host: '10.10.10.10', username: 'admin', privateKey: 'K', sudo: true, jump: { host: bastion.data['publicIp'], username: 'admin', privateKey: 'K' } }])
  // eslint-disable-next-line @typescript-eslint/unbound-method -- only its type is checked, it is never called
  t.type(awsTarget({ clients: fake.clients }).sessions, 'function', 'the default opens real SSH')
  await fake.clients.ec2('eu-west-1').send(new EC2.TerminateInstancesCommand({ InstanceIds: [bastion.id] }))
  await t.rejects(target.sessions({ privateKey: 'K', username: 'admin' }), { code: 'PROV_MISSING_RESOURCE' }, 'a shutting-down bastion has no public address')
})
