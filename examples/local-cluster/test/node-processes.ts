import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolveLayout } from '../src/layout.js'
import { assertPatroniAlive, logTail, waitEtcdHealthy } from '../src/node-processes.js'

// A PID that no longer runs: our own short-lived child.
const { spawnSync } = await import('node:child_process')
const deadPid = spawnSync('/bin/true').pid as number

t.test('waitEtcdHealthy fails fast, with the log path, when a member exited', async (t) => {
  const layout = resolveLayout({ etcdMembers: 1, dataDir: '/tmp/lc-node-processes' })
  await t.rejects(waitEtcdHealthy(layout, [deadPid], 60_000), {
    code: 'LC_PROCESS_EXITED', message: /etcd member etcd0 exited; see \/tmp\/lc-node-processes\/etcd\/etcd0\/etcd.log/,
  })
  await waitEtcdHealthy(layout, [null], 1_000)
  t.pass('a stopped (null) member is not waited for')
})

t.test('waitEtcdHealthy waits for {"health":"true"}', async (t) => {
  const srv = createServer((_req, res) => res.end('{"health":"false"}'))
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  t.teardown(() => srv.close())
  const port = (srv.address() as AddressInfo).port
  const layout = resolveLayout({ etcdMembers: 1, basePort: port, dataDir: '/tmp/lc-node-processes' })
  // This process stands in for the etcd member: its cmdline must hold the config path, so use our own PID and argv.
  const self = { ...layout, etcd: layout.etcd.map((m) => ({ ...m, configFile: process.argv[1] as string })) }
  await t.rejects(waitEtcdHealthy(self, [process.pid], 300), { code: 'LC_TIMEOUT', message: /etcd0 not healthy: \{"health":"false"\}/ })
})

t.test('assertPatroniAlive names the node whose Patroni exited', async (t) => {
  const layout = resolveLayout({ dataDir: '/tmp/lc-node-processes' })
  await t.rejects(assertPatroniAlive(layout.nodes, { pg1: null, pg2: deadPid }), {
    code: 'LC_PROCESS_EXITED', message: /^Patroni of pg2 exited; see \/tmp\/lc-node-processes\/nodes\/pg2\/patroni.log:\n$/,
  })
})

t.test('logTail of a missing file is empty', async (t) => {
  t.equal(await logTail('/nonexistent/log'), '')
})
