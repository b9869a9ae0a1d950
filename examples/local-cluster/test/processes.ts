import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { waitFor } from '../src/wait.js'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CLEAN_PATH, isAlive, readPostmasterPid, signalProcess, spawnDetached, terminate, waitForExit,
} from '../src/processes.js'

const dir = await mkdtemp(join(tmpdir(), 'lc-processes-'))
t.teardown(async () => await rm(dir, { recursive: true, force: true }))

t.test('spawns detached with a clean env, logs to a file, and stops by recorded PID', async (t) => {
  const log = join(dir, 'sleep.log')
  const marker = `lc-marker-${process.pid}`
  process.env.LC_TEST_MUST_NOT_LEAK = '1'
  const pid = await spawnDetached('/bin/sh', ['-c', `echo "env:$(env | sort | tr '\\n' ' ')"; exec sleep 60 # ${marker}`], log, { PATH: CLEAN_PATH })
  delete process.env.LC_TEST_MUST_NOT_LEAK
  const record = { pid, marker: 'sleep 60' }
  await waitFor('the env line', async () => (await readFile(log, 'utf8')).includes('env:'), { timeoutMs: 10_000, intervalMs: 10 })
  t.ok(await isAlive(record))
  t.notOk(await isAlive({ pid, marker: 'not-this-process' }), 'a PID whose cmdline lacks the marker is not ours')
  t.ok(await signalProcess(record, 'SIGSTOP'))
  t.ok(await signalProcess(record, 'SIGCONT'))
  await terminate(record, 5_000)
  t.notOk(await isAlive(record))
  t.notOk(await signalProcess(record, 'SIGTERM'), 'signalling a gone process is a no-op')
  await terminate(record) // idempotent
  const text = await readFile(log, 'utf8')
  t.match(text, /^env:/)
  // (tap's processinfo hook adds its own NODE_OPTIONS/_TAPJS_* to every spawn; nothing else may leak)
  t.notMatch(text, /HOME=|LC_TEST_MUST_NOT_LEAK/, 'no inherited environment')
  t.match(text, `PATH=${CLEAN_PATH}`)
})

t.test('SIGKILLs a process that ignores SIGTERM after the grace period', async (t) => {
  const log = join(dir, 'stubborn.log')
  const pid = await spawnDetached('/bin/sh', ['-c', 'trap "" TERM; echo trapped; while :; do sleep 0.05; done'], log, { PATH: CLEAN_PATH })
  const record = { pid, marker: 'trap' }
  await waitFor('the trap to be set', async () => (await readFile(log, 'utf8')).includes('trapped'), { timeoutMs: 10_000, intervalMs: 10 })
  const started = Date.now()
  await terminate(record, 300)
  t.notOk(await isAlive(record))
  t.ok(Date.now() - started >= 300, 'it waited for the grace period before SIGKILL')
})

t.test('group signals reach the whole detached group; a non-leader has no group', async (t) => {
  const pid = await spawnDetached('/bin/sh', ['-c', 'sleep 60 & sleep 61 & wait'], join(dir, 'group.log'), { PATH: CLEAN_PATH })
  const record = { pid, marker: 'sleep 60 &' }
  await terminate(record, 5_000, { group: true })
  t.notOk(await isAlive(record))
  const child = spawn('/bin/sleep', ['62'], { stdio: 'ignore' })
  t.teardown(() => { child.kill('SIGKILL') })
  await once(child, 'spawn')
  t.notOk(await signalProcess({ pid: child.pid as number, marker: 'sleep' }, 'SIGTERM', { group: true }), 'ESRCH: not a group leader')
  t.ok(await isAlive({ pid: child.pid as number, marker: 'sleep' }))
})

t.test('waitForExit times out on a live process', async (t) => {
  const pid = await spawnDetached('/bin/sleep', ['60'], join(dir, 'live.log'), {})
  const record = { pid, marker: 'sleep' }
  await t.rejects(waitForExit(record, 100), { code: 'LC_TIMEOUT' })
  await terminate(record)
})

t.test('a missing command rejects with LC_PROCESS_EXITED', async (t) => {
  await t.rejects(spawnDetached('/nonexistent/binary', [], join(dir, 'x.log'), {}), { code: 'LC_PROCESS_EXITED' })
})

t.test('isAlive: no such PID; an empty cmdline (kthreadd, or a process inside execve) is re-read, then not ours', async (t) => {
  t.notOk(await isAlive({ pid: 2 ** 22 + 1, marker: '' }))
  t.match(await readFile('/proc/2/stat', 'utf8'), /^2 \(kthreadd\)/, 'PID 2 is the kernel thread daemon here')
  const started = Date.now()
  t.notOk(await isAlive({ pid: 2, marker: 'patroni.yml' }))
  t.ok(Date.now() - started >= 150, 'it re-read the empty cmdline before deciding')
})

t.test('readPostmasterPid reads the first line of postmaster.pid', async (t) => {
  t.equal(await readPostmasterPid(join(dir, 'nope')), undefined)
  await writeFile(join(dir, 'postmaster.pid'), '4242\n/data\n')
  t.strictSame(await readPostmasterPid(dir), { pid: 4242, marker: dir })
  await writeFile(join(dir, 'postmaster.pid'), 'garbage\n')
  t.equal(await readPostmasterPid(dir), undefined)
})
