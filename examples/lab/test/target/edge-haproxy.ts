import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { promisify } from 'node:util'
import t from 'tap'
import type { Stack } from '@birthday-ha/provisioner'
import { EDGE_INSTALL } from '../../src/target/edge-haproxy.js'
import { haproxyLoadBalancer } from '../../src/target/haproxy-load-balancer.js'
import { SOCKET_CLIENT, socketRuntimeApi } from '../../src/target/haproxy-runtime.js'
import { labPorts, startApp, startHaproxy } from './fixtures/haproxy.js'

const sh = promisify(execFile)
const PORTS = labPorts(18500)
const stack = { alb: { deregistrationDelaySeconds: 1 } } as unknown as Stack

t.test('a reload keeps the registrations: the state saved with the socket client is read back by the new haproxy', async (t) => {
  const dir = await mkdtemp('/tmp/lab-edge-')
  const app1 = await startApp(PORTS.app1)
  const app2 = await startApp(PORTS.app2)
  t.teardown(async () => { await app1.close(); await app2.close(); await rm(dir, { recursive: true, force: true }) })
  let hx = await startHaproxy(dir, PORTS)
  const lb = haproxyLoadBalancer({ api: socketRuntimeApi(hx.socket), hosts: () => ['app1', 'app2'], url: async () => undefined, pollMs: 50, maxWaitMs: 3_000 })
  await lb.register(stack, 'app1')
  // What configureEdge runs on the edge before `systemctl reload haproxy`.
  await sh('sh', ['-c', `echo 'show servers state' | python3 -c '${SOCKET_CLIENT}' ${hx.socket} > ${hx.stateFile}`])
  await hx.stop()
  hx = await startHaproxy(dir, PORTS)
  t.teardown(() => hx.stop())
  t.strictSame([...await lb.health(stack)], [['app1', 'healthy'], ['app2', 'unused']])
})

t.test('the install script is idempotent shell: it installs only when haproxy is missing', async (t) => {
  t.match(EDGE_INSTALL, /^set -eu\nif ! command -v haproxy/)
  // haproxy is installed on this machine: the script does nothing and prints nothing.
  const { stdout } = await sh('sh', ['-c', EDGE_INSTALL])
  t.equal(stdout, '')
})
