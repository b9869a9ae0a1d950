import t from 'tap'
import { albLoadBalancer, cliAwsTarget } from '../../src/cli/aws-host-parts.js'
import { applyStack } from '../../src/engine/apply.js'
import { awsTarget } from '../../src/targets/aws/aws-target.js'
import { FakeAws } from '../fixtures/fake-aws.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()

t.test('the ALB target group as a LoadBalancer, by the stack host names', async (t) => {
  const fake = new FakeAws()
  const deps = { clients: fake.clients, sleep: async () => {} }
  const lb = albLoadBalancer(deps)
  t.same([...await lb.health(stack)], [['app1', 'missing'], ['app2', 'missing']], 'before apply')
  t.equal(await lb.url(stack), undefined)
  await t.rejects(lb.deregister(stack, 'app1'), { code: 'PROV_MISSING_RESOURCE', message: /target group/ })
  await applyStack(stack, deps)
  const tg = fake.ofType('tg')[0]!
  t.match(await lb.url(stack), /^http:\/\/.+/, 'port 80: no port in the URL')
  const app1 = fake.ofType('instance').find((i) => i.data['privateIp'] === '10.10.10.20')!
  await lb.deregister(stack, 'app1')
  t.notOk((tg.data['targets'] as string[]).includes(app1.id), 'deregistered')
  t.same((await lb.health(stack)).get('app1'), 'unregistered')
  await lb.register(stack, 'app1')
  t.ok((tg.data['targets'] as string[]).includes(app1.id), 'registered again')
  t.same((await lb.health(stack)).get('app1'), 'healthy')
  await t.rejects(lb.register(stack, 'app9'), { code: 'PROV_MISSING_RESOURCE', details: { host: 'app9' } })
  for (const [port, url] of [[443, /^https:\/\/[^:]+$/], [8443, /^http:\/\/.+:8443$/]] as const) {
    const s = makeStack((x) => void (x.alb = { listenerPort: port, ...(port === 443 ? { certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/c' } : {}) }))
    t.match(await lb.url(s), url)
  }
})

t.test('sessions go through the bastion once it exists', async (t) => {
  const fake = new FakeAws()
  const deps = { clients: fake.clients, sleep: async () => {} }
  const opened: string[] = []
  const target = cliAwsTarget(stack, deps, (o) => {
    opened.push(`${o.username}@${o.bastion}`)
    return async () => Promise.reject(new Error('unused'))
  })
  await t.rejects(target.sessions({ privateKey: 'K', username: 'admin' }), { code: 'PROV_MISSING_RESOURCE', message: /bastion/ })
  await applyStack(stack, deps)
  await target.sessions({ privateKey: 'K', username: 'admin' })
  t.match(opened, [/^admin@203\.0\.113\.\d+$/])
  t.equal(target.kind, 'aws')
})

t.test('what awsTarget does not wire yet is refused with a typed error (or works, once the AWS move lands)', async (t) => {
  const target = awsTarget({ clients: new FakeAws().clients, sleep: async () => {} })
  const calls: (() => Promise<unknown>)[] = [
    () => target.infrastructure.plan(stack), () => target.infrastructure.apply(stack), () => target.infrastructure.apply(stack, { onProgress: () => {} }),
    () => target.secrets.ensure(stack), () => target.secrets.read(stack), () => target.infrastructure.machines(stack),
    () => target.loadBalancer.deregister(stack, 'app1'), () => target.loadBalancer.register(stack, 'app1'), () => target.loadBalancer.health(stack), () => target.loadBalancer.url(stack),
    () => target.sessions({ privateKey: 'K', username: 'admin' }), () => target.infrastructure.destroy(stack, { confirm: true }),
  ]
  for (const call of calls) await call().then(() => t.pass('wired'), (err: unknown) => t.match(err, { code: /^PROV_/ }))
})
