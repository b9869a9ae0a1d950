import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { applyStack } from '../../src/targets/aws/engine/apply.js'
import { deployApp, type AppTarget } from '../../src/host/deploy.js'
import { dryRunSessions } from '../../src/ssh/dry-run.js'
import { FakeAws } from '../targets/aws/fixtures/fake-aws.js'
import { makeStack } from '../fixtures/stack.js'

const stack = makeStack()
const artifact = join(mkdtempSync(join(tmpdir(), 'deploy-')), 'hello.tar.gz')
writeFileSync(artifact, 'x')

async function setup(ready: (host: string) => boolean = () => true) {
  const fake = new FakeAws()
  await applyStack(stack, { clients: fake.clients, sleep: async () => {} })
  const tg = fake.ofType('tg')[0]!
  const apps = fake.ofType('instance').filter((i) => i.tags.some((x) => x.Key === 'birthday-ha:role' && x.Value === 'app'))
  const targets: AppTarget[] = apps.map((a, i) => ({ name: `app${i + 1}`, instanceId: a.id, ip: String(a.data['privateIp']) }))
  const lines: string[] = []
  const events: string[] = []
  const sessions = dryRunSessions({ secrets: [], print: (l) => lines.push(l), respond: (host, cmd) => (cmd.includes('/readyz') && ready(host) ? '200' : '') })
  const base = { elbv2: fake.clients.elbv2('eu-west-1'), targetGroupArn: tg.id, port: 8080, targets, sessions, artifact, version: 'v2', sleep: async () => {}, onProgress: (e: { key?: string; detail?: string }) => void events.push(`${e.key} ${e.detail}`) }
  return { fake, tg, targets, lines, events, base }
}

t.test('rolls one host at a time: deregister, upload, restart, readyz, register', async (t) => {
  const { fake, tg, lines, events, base } = await setup()
  const before = fake.calls.length
  t.same(await deployApp(base), ['app1', 'app2'])
  t.same(events, [
    'app1 deregister', 'app1 upload and restart', 'app1 wait for /readyz', 'app1 register',
    'app2 deregister', 'app2 upload and restart', 'app2 wait for /readyz', 'app2 register',
  ])
  const elb = fake.calls.slice(before).filter((c) => c.service === 'elbv2' && /Register|Deregister/.test(c.command)).map((c) => c.command)
  t.same(elb, ['DeregisterTargets', 'RegisterTargets', 'DeregisterTargets', 'RegisterTargets'])
  t.equal((tg.data['targets'] as string[]).length, 2, 'every host back in service')
  t.match(lines.join('\n'), /upload .*hello.tar.gz -> \/tmp\/hello.tar.gz/)
  t.match(lines.join('\n'), /ln -sfn '\/opt\/birthday\/releases\/v2' \/opt\/birthday\/current; systemctl enable birthday-app; systemctl restart birthday-app/)
})

t.test('stops and reports when a host does not become ready', async (t) => {
  const { tg, targets, lines, base } = await setup((host) => host !== 'app1')
  const err = await deployApp({ ...base, pollAttempts: 3 }).catch((e: unknown) => e)
  t.match(err, { code: 'PROV_HOST_UNHEALTHY', details: { host: 'app1' } })
  t.notOk(lines.some((l) => l.startsWith('[app2]')), 'the next host was never touched')
  t.same(tg.data['targets'], [targets[1]!.instanceId], 'the healthy host keeps serving')
})
