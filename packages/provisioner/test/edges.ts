// Small edge cases of several modules, kept together.
import t from 'tap'
import { EngineContext } from '../src/targets/aws/engine/context.js'
import { readSecrets } from '../src/targets/aws/engine/secrets.js'
import { applyStack } from '../src/targets/aws/engine/apply.js'
import { planStack } from '../src/targets/aws/engine/plan.js'
import { hostPlan, stackHosts } from '../src/host/host-plan.js'
import { deployApp } from '../src/host/deploy.js'
import { promoteDr } from '../src/host/promote-dr.js'
import { stackStatus } from '../src/host/status.js'
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

t.test('status copes with missing hosts and unreachable ones; promote-dr and deploy defaults', async (t) => {
  const fake = new FakeAws()
  const deps = { clients: fake.clients, sleep: async () => {} }
  t.same((await stackStatus(stack, deps, async () => Promise.reject(new Error('no ssh')))).map((r) => r.patroni ?? r.target), ['unreachable', 'unreachable', 'unreachable', 'unreachable', 'missing', 'missing'])
  await applyStack(stack, deps)
  fake.ofType('tg')[0]!.data['targets'] = []
  const rows = await stackStatus(stack, deps, async () => Promise.reject(new Error('no ssh')))
  t.same(rows.map((r) => r.patroni ?? r.target), ['unreachable', 'unreachable', 'unreachable', 'unreachable', 'unregistered', 'unregistered'])
  t.same(Object.keys(await readSecrets(stack, { clients: fake.clients })).length, 5)
  const sessions = dryRunSessions({ secrets: [], print: () => {}, respond: () => '200' })
  await promoteDr(stack, { sessions, confirm: true })
  const app = fake.ofType('instance').find((i) => i.data['privateIp'] === '10.10.10.20')!
  const tg = fake.ofType('tg')[0]!
  t.same(await deployApp({ elbv2: fake.clients.elbv2('eu-west-1'), targetGroupArn: tg.id, port: 8080, targets: [{ name: 'app1', instanceId: app.id, ip: '10.10.10.20' }], sessions, artifact: '/x.tgz', version: 'v' }), ['app1'])
})

t.test('dry-run writes show default mode and owner', async (t) => {
  const lines: string[] = []
  const s = await dryRunSessions({ secrets: [''], print: (l) => lines.push(l) })({ host: 'h', name: 'n' })
  t.equal(await s.writeFile('/f', 'x'), true)
  await s.uploadFile('/a', '/b')
  await s[Symbol.asyncDispose]()
  t.same(lines.slice(0, 2), ['[n] write /f (mode 600, root:root, sha256 2d711642b726…)', '[n]   | x'])
})
