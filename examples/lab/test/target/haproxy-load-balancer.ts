import { mkdtemp, rm } from 'node:fs/promises'
import t from 'tap'
import type { Stack } from '@birthday-ha/provisioner'
import { haproxyLoadBalancer, syncFailOpen } from '../../src/target/haproxy-load-balancer.js'
import { socketRuntimeApi } from '../../src/target/haproxy-runtime.js'
import { get as getVia, labPorts, startApp, startHaproxy } from './fixtures/haproxy.js'

const PORTS = labPorts(18480)
const get = async (path: string) => await getVia(PORTS, path)

const stack = (delaySeconds: number): Stack => ({ alb: { deregistrationDelaySeconds: delaySeconds } }) as unknown as Stack

t.test('the lab load balancer against a real haproxy', async (t) => {
  // Unix socket paths are limited to ~100 bytes: a short directory of our own.
  const dir = await mkdtemp('/tmp/lab-hx-')
  const app1 = await startApp(PORTS.app1)
  const app2 = await startApp(PORTS.app2, false)
  t.teardown(async () => { await app1.close(); await app2.close(); await rm(dir, { recursive: true, force: true }) })
  const hx = await startHaproxy(dir, PORTS)
  t.teardown(() => hx.stop())
  const lb = haproxyLoadBalancer({ api: socketRuntimeApi(hx.socket), hosts: () => ['app1', 'app2', 'app3'], url: async () => `http://127.0.0.1:${PORTS.lb}`, pollMs: 50, maxWaitMs: 3_000 })
  const s = stack(1)

  t.equal(await lb.url(s), `http://127.0.0.1:${PORTS.lb}`)
  t.strictSame([...await lb.health(s)], [['app1', 'unused'], ['app2', 'unused'], ['app3', 'unused']], 'every server starts unregistered; an unknown host is unused')
  t.equal((await get('/')).status, 503, 'no target registered: haproxy answers 503')

  await lb.register(s, 'app1')
  t.equal((await lb.health(s)).get('app1'), 'healthy')
  for (let i = 0; i < 4; i++) t.equal((await get('/')).body, `port ${PORTS.app1}\n`)
  await lb.register(s, 'app1')
  t.pass('registering a registered healthy host is a no-op')

  const before = app2.served
  await t.rejects(lb.register(s, 'app2'), { code: 'PROV_HOST_UNHEALTHY', message: /app2 did not pass the load balancer's health check/ })
  t.equal((await lb.health(s)).get('app2'), 'unused', 'a host that never passed stays out')
  for (let i = 0; i < 4; i++) await get('/')
  t.equal(app2.served, before, 'an unready host never got a request while registering')

  app2.ready = true
  const registering = lb.register(s, 'app2')
  const seen = new Set<string>()
  // While it registers (checks not passed yet), app2 is `initial` and gets nothing.
  await new Promise((r) => setTimeout(r, 100))
  seen.add((await lb.health(s)).get('app2') as string)
  await registering
  t.ok(seen.has('initial'), `app2 was initial while registering (${[...seen].join(',')})`)
  const bodies = new Set<string>()
  for (let i = 0; i < 6; i++) bodies.add((await get('/')).body)
  t.equal(bodies.size, 2, 'both hosts serve once registered')

  // Deregister with a request in flight shorter than the delay: it completes, then the host is unused.
  const slow = get('/?ms=400')
  const slow2 = get('/?ms=400')
  await new Promise((r) => setTimeout(r, 50))
  const t0 = Date.now()
  await lb.deregister(s, 'app1')
  const took = Date.now() - t0
  t.equal((await slow).status, 200)
  t.equal((await slow2).status, 200)
  t.ok(took < 1_000, `resolved once idle, before the 1 s delay (${took} ms)`)
  t.equal((await lb.health(s)).get('app1'), 'unused')
  for (let i = 0; i < 4; i++) t.equal((await get('/')).body, `port ${PORTS.app2}\n`, 'a deregistered host gets no new request')
  await lb.deregister(s, 'app1')
  t.pass('deregistering an unused host is a no-op')

  // A request longer than the delay is cut when the delay is over, as ELBv2 does.
  await lb.register(s, 'app1')
  const long = [get('/?ms=3000'), get('/?ms=3000')]
  await new Promise((r) => setTimeout(r, 50))
  const t1 = Date.now()
  await lb.deregister(s, 'app1')
  const took1 = Date.now() - t1
  t.ok(took1 >= 1_000 && took1 < 2_500, `waited the 1 s delay (${took1} ms)`)
  t.ok((await Promise.all(long)).some((r) => r.status !== 200), 'the request still open after the delay was cut')

  // Every registered host failing its check: ELBv2 fails open and routes to all of them, so the apps answer.
  await lb.register(s, 'app1')
  app1.ready = false
  app2.ready = false
  await new Promise((r) => setTimeout(r, 800))
  t.strictSame([...await lb.health(s)].slice(0, 2), [['app1', 'unhealthy'], ['app2', 'unhealthy']])
  const open = new Set<string>()
  for (let i = 0; i < 6; i++) open.add((await get('/')).body)
  t.strictSame([...open].sort(), [`port ${PORTS.app1}\n`, `port ${PORTS.app2}\n`], 'fail open: both unhealthy hosts still get requests')
  await lb.deregister(s, 'app1')
  for (let i = 0; i < 4; i++) t.equal((await get('/')).body, `port ${PORTS.app2}\n`, 'fail open only to registered hosts')
  app1.ready = true

  // A registered host whose app stops answering becomes unhealthy; register waits for it, then gives up.
  app2.ready = false
  await new Promise((r) => setTimeout(r, 800))
  t.equal((await lb.health(s)).get('app2'), 'unhealthy')
  const lb2 = haproxyLoadBalancer({ api: socketRuntimeApi(hx.socket), hosts: () => ['app2'], url: async () => undefined, pollMs: 50, maxWaitMs: 300 })
  await t.rejects(lb2.register(s, 'app2'), { code: 'PROV_HOST_UNHEALTHY', message: /registered but not healthy/ })
  app2.ready = true

  await t.rejects(lb.register(s, 'app9'), { code: 'PROV_MISSING_RESOURCE' })
  await t.rejects(lb.deregister(s, 'app9'), { code: 'PROV_MISSING_RESOURCE' })
})

t.test('default clock and sleep', async (t) => {
  let calls = 0
  const answers = ['1\n# be_name srv_name srv_op_state srv_admin_state\napp app1 2 8', '# pxname,svname,scur,check_status\napp,app1,1,L7OK']
  const lb = haproxyLoadBalancer({ api: async (c) => (c.startsWith('show servers') ? answers[0]! : c === 'show stat' ? answers[1]! : (calls++, '')), hosts: () => ['app1'], url: async () => undefined })
  const t0 = Date.now()
  await lb.deregister(stack(0.05), 'app1')
  t.ok(Date.now() - t0 >= 40, 'waited the delay with the real clock')
  t.equal(calls, 6, 'drain, shutdown sessions, maint: of the server and of its fail-open twin')
})

t.test('syncFailOpen gives each fail-open twin its server\'s registration', async (t) => {
  const dir = await mkdtemp('/tmp/lab-hx-')
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const hx = await startHaproxy(dir, PORTS)
  t.teardown(() => hx.stop())
  const api = socketRuntimeApi(hx.socket)
  // As after a reload that added the twins: app1 registered, app2 draining, both twins unregistered.
  await api('set server app/app1 state ready')
  await api('set server app/app2 state drain')
  t.strictSame(await syncFailOpen(api), ['app1-failopen', 'app2-failopen'])
  t.strictSame(await syncFailOpen(api), [], 'a second run changes nothing')
  await api('set server app/app1 state maint')
  await api('set server app/app2 state maint')
  t.strictSame(await syncFailOpen(api, 'app'), ['app1-failopen', 'app2-failopen'])
})
