import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { deployApp } from '../../src/host/deploy.js'
import { FakeHosts } from '../fixtures/fake-hosts.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()
const artifact = join(mkdtempSync(join(tmpdir(), 'deploy-')), 'hello.tar.gz')
writeFileSync(artifact, 'x')

t.test('a first deploy (no host serving): every host is released at once', async (t) => {
  const f = new FakeHosts(stack)
  const lb = f.loadBalancer()
  const progress: string[] = []
  t.same(await deployApp(stack, { sessions: f.sessions(), loadBalancer: lb, artifact, version: 'v2', sleep: async () => {}, onProgress: (e) => void progress.push(`${e.key} ${e.detail}`) }), ['app1', 'app2'])
  t.ok(f.events.indexOf('app2 restart birthday-app.service') < f.events.indexOf('lb register app1'), 'app2 restarted before app1 was back: nothing was serving to keep')
  t.same(progress.filter((p) => p.startsWith('app1')), ['app1 deregister', 'app1 upload and restart', 'app1 wait for /readyz', 'app1 register'])
  t.same([...lb.registered].sort(), ['app1', 'app2'], 'every host in service')
  t.ok(f.host('app1').paths.has('/tmp/hello.tar.gz'), 'the artifact was uploaded')
  t.ok(f.commands.some((c) => c.includes("tar -xzf '/tmp/hello.tar.gz' -C '/opt/birthday/releases/v2'")))
})

t.test('serving hosts roll one at a time: deregister, restart, readyz, register', async (t) => {
  const f = new FakeHosts(stack)
  const lb = f.loadBalancer()
  await deployApp(stack, { sessions: f.sessions(), loadBalancer: lb, artifact, version: 'v1', sleep: async () => {} })
  f.events.length = 0
  t.same(await deployApp(stack, { sessions: f.sessions(), loadBalancer: lb, artifact, version: 'v2', sleep: async () => {} }), ['app1', 'app2'])
  t.same(f.events, ['lb deregister app1', 'app1 restart birthday-app.service', 'lb register app1', 'lb deregister app2', 'app2 restart birthday-app.service', 'lb register app2'])
})

t.test('a host out of service goes first, then the serving ones', async (t) => {
  const f = new FakeHosts(stack)
  const lb = f.loadBalancer()
  await deployApp(stack, { sessions: f.sessions(), loadBalancer: lb, artifact, version: 'v1', sleep: async () => {} })
  lb.registered.delete('app1')
  f.events.length = 0
  await deployApp(stack, { sessions: f.sessions(), loadBalancer: lb, artifact, version: 'v2', sleep: async () => {} })
  t.same(f.events, ['lb deregister app1', 'app1 restart birthday-app.service', 'lb register app1', 'lb deregister app2', 'app2 restart birthday-app.service', 'lb register app2'])
})

t.test('a host of the first deploy that does not become ready: the error names the ones released', async (t) => {
  const f = new FakeHosts(stack)
  f.brokenApps.add('app1')
  const err = await deployApp(stack, { sessions: f.sessions(), loadBalancer: f.loadBalancer(), artifact, version: 'v2', sleep: async () => {}, pollAttempts: 3 }).catch((e: unknown) => e)
  t.match(err, { code: 'PROV_HOST_UNHEALTHY', details: { host: 'app1', deployed: ['app2'] } })
})

t.test('stops and reports when a host does not become ready; the others keep serving', async (t) => {
  const f = new FakeHosts(stack)
  const lb = f.loadBalancer()
  lb.registered.add('app2')
  f.brokenApps.add('app1')
  const err = await deployApp(stack, { sessions: f.sessions(), loadBalancer: lb, artifact, version: 'v2', sleep: async () => {}, pollAttempts: 3 }).catch((e: unknown) => e)
  t.match(err, { code: 'PROV_HOST_UNHEALTHY', details: { host: 'app1', deployed: [] } })
  t.notOk(f.commands.some((c) => c.startsWith('[app2]')), 'the next host was never touched')
  t.same([...lb.registered], ['app2'], 'the healthy host keeps serving')
  const other = await deployApp(stack, { sessions: f.sessions(() => true), loadBalancer: lb, artifact, version: 'v2' }).catch((e: unknown) => e)
  t.match(other, { message: /Connection refused/ }, 'other errors pass through')
  f.brokenApps.clear()
  const lbFails = { ...lb, register: async () => Promise.reject(new Error('boom')) }
  await t.rejects(deployApp(stack, { sessions: f.sessions(), loadBalancer: lbFails, artifact, version: 'v3', sleep: async () => {} }), { message: 'boom' })
})
