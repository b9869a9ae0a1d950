// Small edge cases of several modules, kept together.
import t from 'tap'
import { EngineContext } from '../src/targets/aws/engine/context.js'
import { readSecrets } from '../src/targets/aws/engine/secrets.js'
import { applyStack } from '../src/targets/aws/engine/apply.js'
import { planStack } from '../src/targets/aws/engine/plan.js'
import { hostPlan, stackHosts } from '../src/host/host-plan.js'
import { dryRunSessions } from '../src/ssh/dry-run.js'
import { FakeAws } from './targets/aws/fixtures/fake-aws.js'
import { makeStack } from './fixtures/stack.js'

const stack = makeStack()
const secrets = { 'superuser-password': 'a1', 'replication-password': 'b2', 'rewind-password': 'c3', 'app-password': 'd4', 'rest-password': 'e5' }

t.test('context defaults and ids', async (t) => {
  const ctx = new EngineContext(stack, { clients: new FakeAws().clients })
  t.equal(ctx.idOf('primary/vpc'), '<primary/vpc>')
  t.throws(() => ctx.requireId('primary/vpc'), { code: 'PROV_MISSING_RESOURCE' })
  t.match(ctx.deps.generateSecret(), /^[A-Za-z0-9_-]{43}$/)
  await ctx.deps.sleep(1)
})

t.test('a lost DR secret is copied back from the primary; duplicates are orphans', async (t) => {
  const fake = new FakeAws()
  const deps = { clients: fake.clients, sleep: async () => {} }
  await applyStack(stack, deps)
  const dr = fake.ofType('parameter').find((p) => p.region === 'eu-central-1' && String(p.data['name']).endsWith('app-password'))!
  const value = dr.data['value']
  dr.data['state'] = 'deleted'
  const vpc = fake.ofType('vpc')[0]!
  fake.resources.set('vpc-dupe', { ...vpc, id: 'vpc-dupe', data: { ...vpc.data } })
  const plan = await planStack(stack, deps)
  t.same(plan.items.filter((i) => i.action !== 'keep').map((i) => `${i.action} ${i.key}`), ['create dr/secret/app-password', 'delete orphan:vpc-dupe'])
  fake.resources.delete('vpc-dupe')
  await applyStack(stack, deps)
  const again = fake.ofType('parameter').find((p) => p.region === 'eu-central-1' && String(p.data['name']).endsWith('app-password'))!
  t.equal(again.data['value'], value)
})

t.test('an HTTPS listener', async (t) => {
  const fake = new FakeAws()
  await applyStack(makeStack((s) => void (s.alb = { listenerPort: 443, certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/c' })), { clients: fake.clients, sleep: async () => {} })
  t.equal(fake.ofType('listener')[0]!.data['protocol'], 'HTTPS')
})

t.test('the bucket region defaults to the primary region', async (t) => {
  const s = makeStack((x) => void delete x.backups.bucketRegion)
  const db = hostPlan(s, stackHosts(s)[0]!, secrets)
  t.match(db.files.find((f) => f.path === '/etc/pgbackrest.conf')!.content, /repo1-s3-region=eu-west-1/)
})

t.test('Patroni 3 stacks keep the 3.x timing rules; Node comes from nodejs.org unless the stack says otherwise', async (t) => {
  const s = makeStack((x) => void ((x.database ??= {}).patroniVersion = '3.3.2', delete x.app.nodeTarballUrl))
  const db = hostPlan(s, stackHosts(s)[0]!, secrets, { timing: { ttl: 10, loop_wait: 1, retry_timeout: 4 } })
  t.match(db.files.find((f) => f.path === '/etc/birthday-ha/patroni.yml')!.content, /ttl: 10\n/)
  t.match(db.install, /the stack wants 3\.3\.2/)
  t.throws(() => hostPlan(stack, stackHosts(stack)[0]!, secrets, { timing: { ttl: 10, loop_wait: 1, retry_timeout: 4 } }), { code: 'PROV_RENDER_INVALID_TIMING' })
  const app = hostPlan(s, stackHosts(s).find((h) => h.role === 'app')!, secrets)
  t.match(app.install, /curl -fsSLo "\$tmp\/node.tar" 'https:\/\/nodejs.org\/dist\/v24\.22\.3\/node-v24\.22\.3-linux-x64\.tar\.xz'/)
})

t.test('secrets read with the default sleep', async (t) => {
  const fake = new FakeAws()
  await applyStack(stack, { clients: fake.clients, sleep: async () => {} })
  t.equal(Object.keys(await readSecrets(stack, { clients: fake.clients })).length, 5)
})

t.test('dry-run writes show default mode and owner', async (t) => {
  const lines: string[] = []
  const s = await dryRunSessions({ secrets: [''], print: (l) => lines.push(l) })({ host: 'h', name: 'n' })
  t.equal(await s.writeFile('/f', 'x'), true)
  await s.uploadFile('/a', '/b')
  await s[Symbol.asyncDispose]()
  t.same(lines.slice(0, 2), ['[n] write /f (mode 600, root:root, sha256 2d711642b726…)', '[n]   | x'])
})
