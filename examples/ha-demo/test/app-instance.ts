// Start-up failures of an instance and of haproxy, with real processes (no cluster needed).
import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureSystemPackages } from '@birthday-ha/local-cluster'
import { appInstanceAlive, killAppInstance, nodeArgsFrom, startAppInstance } from '../src/app-instance.js'
import { startAppHaproxy } from '../src/haproxy-process.js'
import { spawnRecorded } from '../src/process-record.js'

const dir = await mkdtemp(join(tmpdir(), 'hademo-app-'))
t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })

t.test('HA_DEMO_NODE_ARGS adds node flags (space-separated) for diagnostics', async (t) => {
  t.strictSame(nodeArgsFrom({}), [])
  t.strictSame(nodeArgsFrom({ HA_DEMO_NODE_ARGS: ' --heapsnapshot-signal=SIGUSR2  --diagnostic-dir=/tmp/x ' }), ['--heapsnapshot-signal=SIGUSR2', '--diagnostic-dir=/tmp/x'])
})

t.test('an instance that exits at start (bad config) fails at once with its log tail', async (t) => {
  const spec = { name: 'bad', port: 27590, env: { DB_DEADLINE_MS: 'soon' }, logFile: join(dir, 'bad.log') }
  await t.rejects(startAppInstance(spec, 20_000), { code: 'DEMO_PROCESS_EXITED', message: /bad exited.*\n.*DB_DEADLINE_MS must be an integer/s })
})

t.test('an instance that never gets ready is stopped after the timeout', async (t) => {
  // A database URL nobody listens on: the service keeps retrying its migration, /readyz never answers.
  const spec = { name: 'slow', port: 27591, env: { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db', LOG_LEVEL: 'silent' }, logFile: join(dir, 'slow.log') }
  await t.rejects(startAppInstance(spec, 1_500), { code: 'DEMO_TIMEOUT' })
})

t.test('killAppInstance SIGKILLs a running instance; on one that is gone it is a no-op', async (t) => {
  const logFile = join(dir, 'victim.log')
  const record = await spawnRecorded('/bin/sh', ['-c', `sleep 30; : ${logFile}`], { logFile, env: { PATH: '/usr/bin:/bin' }, marker: logFile })
  const victim = { spec: { name: 'v', port: 1, env: {}, logFile }, record }
  t.ok(await appInstanceAlive(victim))
  await killAppInstance(victim)
  t.notOk(await appInstanceAlive(victim))
  const gone = { spec: { name: 'x', port: 1, env: {}, logFile: join(dir, 'x.log') }, record: { pid: 2 ** 22 + 1, marker: 'nothing' } }
  await killAppInstance(gone)
  t.notOk(await appInstanceAlive(gone))
})

t.test('haproxy that cannot start exits, and start-up fails with DEMO_PROCESS_EXITED', async (t) => {
  await ensureSystemPackages()
  // A runtime socket path longer than a unix socket allows (108 bytes): haproxy refuses to start.
  const lb = join(dir, 'x'.repeat(110))
  await t.rejects(startAppHaproxy({ dir: lb, port: 27592, servers: [{ name: 'app1', port: 27593 }] }), { code: 'DEMO_PROCESS_EXITED', message: /haproxy exited/ })
})
