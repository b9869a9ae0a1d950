import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isAlive, signalRecorded, spawnRecorded, terminateRecorded, waitForExit } from '../src/process-record.js'

const dir = await mkdtemp(join(tmpdir(), 'hademo-proc-'))
t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
const env = { PATH: '/usr/bin:/bin' }

t.test('spawn, check, signal, terminate by PID with a cmdline marker', async (t) => {
  const logFile = join(dir, 'sleep.log')
  const rec = await spawnRecorded('/bin/sh', ['-c', 'echo hello; sleep 5; : marker-abc'], { logFile, env, marker: 'marker-abc' })
  t.ok(await waitForExit({ pid: rec.pid, marker: 'other' }, 100).then(() => true), 'a wrong marker counts as gone')
  t.ok(await isAlive(rec))
  t.notOk(await signalRecorded({ pid: rec.pid, marker: 'not-it' }, 'SIGKILL'), 'never signals a PID that is not ours')
  await terminateRecorded(rec, 5_000)
  t.notOk(await isAlive(rec))
  await terminateRecorded(rec, 5_000) // idempotent
  t.match(await readFile(logFile, 'utf8'), /hello/)
})

t.test('SIGKILL after the grace period when SIGTERM is ignored', async (t) => {
  const rec = await spawnRecorded('/bin/sh', ['-c', "trap '' TERM; while :; do sleep 0.05; done # stubborn"], { logFile: join(dir, 's.log'), env, marker: 'stubborn' })
  await new Promise((r) => setTimeout(r, 100))
  await terminateRecorded(rec, 200)
  t.notOk(await isAlive(rec))
})

t.test('a command that cannot start rejects with DEMO_PROCESS_EXITED', async (t) => {
  await t.rejects(spawnRecorded('/nonexistent/bin', [], { logFile: join(dir, 'x.log'), env, marker: 'x' }), { code: 'DEMO_PROCESS_EXITED' })
})
