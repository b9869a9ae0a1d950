import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { daemonRunning, inCgroupsCommand, recordedPid, startDaemon, stopDaemon } from '../src/daemon.js'
import { createCgroups } from '../src/cgroups.js'

t.test('the wrapper joins every cgroup, then execs the command', async (t) => {
  const c = { unified: '/u', systemd: '/s', memory: '/m' }
  const cmd = inCgroupsCommand(c, ['sleep', '1'])
  t.strictSame(cmd.slice(3), ['sh', '/u', '/s', '/m', '--', 'sleep', '1'])
  t.match(cmd[2], 'exec "$@"')
})

t.test('start in the background, PID recorded, logs appended', async (t) => {
  const root = await mkdtemp(`${tmpdir()}/lab-daemon-`)
  // plain directories stand in for the cgroup mount: cgroup.procs becomes a file holding the PID
  const c = { unified: `${root}/u`, systemd: `${root}/s`, memory: `${root}/m` }
  const pid = await startDaemon({ cmd: ['sh', '-c', 'echo started $X; sleep 30'], cgroups: c, pidFile: `${root}/run/d.pid`, logFile: `${root}/log/d.log`, env: { X: 'ok' }, cwd: root })
  t.teardown(() => { try { process.kill(pid, 'SIGKILL') } catch { /* gone */ } })
  t.equal(await recordedPid(`${root}/run/d.pid`), pid)
  for (let i = 0; i < 50 && !(await readFile(`${root}/log/d.log`, 'utf8')).includes('started'); i++) await new Promise((r) => setTimeout(r, 20))
  t.match(await readFile(`${root}/log/d.log`, 'utf8'), 'started ok')
  t.equal((await readFile(`${c.unified}/cgroup.procs`, 'utf8')).trim(), String(pid), 'the wrapper wrote its PID (= the command\'s) into the cgroup')
  t.equal(await recordedPid(`${root}/none.pid`), undefined)
  t.equal(await daemonRunning(c), false, 'no cgroup.events in a plain directory')
  await createCgroups(c)
})

t.test('stop on cgroups that do not exist is a no-op', async (t) => {
  const root = await mkdtemp(`${tmpdir()}/lab-daemon-`)
  await stopDaemon({ unified: `${root}/u`, systemd: `${root}/s`, memory: `${root}/m` })
  t.pass()
})

t.test('a spawn failure rejects', async (t) => {
  const root = await mkdtemp(`${tmpdir()}/lab-daemon-`)
  const c = { unified: `${root}/u`, systemd: `${root}/s`, memory: `${root}/m` }
  await t.rejects(startDaemon({ cmd: ['x'], cgroups: c, pidFile: `${root}/p`, logFile: `${root}/l`, cwd: `${root}/missing-dir` }))
})
