import { spawn } from 'node:child_process'
import { mkdir, rmdir, writeFile } from 'node:fs/promises'
import t from 'tap'
import { labLayout } from '../../src/layout.js'
import { labProcesses, waitNoLabProcesses } from '../../src/teardown/teardown-check.js'

t.test('a process left in a lab cgroup is found, and waiting for it gives up', async (t) => {
  if (process.getuid?.() !== 0) return void t.fail('real cgroups need root: run the suite as root')
  const layout = labLayout({ name: 'unitwait', slot: 249 })
  const cg = layout.cgroups('x').unified
  await mkdir(cg, { recursive: true })
  const sleeper = spawn('sh', ['-c', `echo $$ > ${cg}/cgroup.procs && exec sleep 30`], { stdio: 'ignore' })
  t.teardown(async () => {
    sleeper.kill('SIGKILL')
    await new Promise((r) => setTimeout(r, 200))
    await rmdir(cg)
    await rmdir(layout.cgroupRoots.unified)
  })
  await new Promise((r) => setTimeout(r, 300))
  t.strictSame(await labProcesses(layout), [`${sleeper.pid} (sleep)`])
  const t0 = Date.now()
  await waitNoLabProcesses(layout, 200)
  t.ok(Date.now() - t0 < 2000)
  await writeFile(`${cg}/cgroup.kill`, '1')
  await waitNoLabProcesses(layout)
  t.strictSame(await labProcesses(layout), [])
})
