import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { createCgroups, freezeCgroups, frozen, killCgroups, memoryBytes, pidsOf, populated, removeCgroups } from '../src/cgroups.js'

// A directory tree standing in for the cgroup mount: the kernel's interface files are plain files
// here, so these tests check which files are read and written (the real effect is in test/integration).
const fakeCgroups = async () => {
  const root = await mkdtemp(`${tmpdir()}/lab-cg-`)
  return { unified: `${root}/u/x`, systemd: `${root}/s/x`, memory: `${root}/m/x` }
}

t.test('create, read the state, freeze and remove', async (t) => {
  const c = await fakeCgroups()
  await createCgroups(c)
  t.equal(await populated(c), false, 'no cgroup.events: empty')
  await writeFile(`${c.unified}/cgroup.events`, 'populated 1\nfrozen 0\n')
  t.equal(await populated(c), true)
  t.equal(await frozen(c), false)
  await freezeCgroups(c, true, 50) // the stand-in cgroup.events never says frozen: gives up after 50 ms
  t.equal(await readFile(`${c.unified}/cgroup.freeze`, 'utf8'), '1')
  await freezeCgroups(c, false, 50)
  t.equal(await readFile(`${c.unified}/cgroup.freeze`, 'utf8'), '0')
  await writeFile(`${c.unified}/cgroup.events`, 'populated 1\nfrozen 1\n')
  t.equal(await frozen(c), true)
  t.equal(await memoryBytes(c), 0, 'no memory file: 0')
  await writeFile(`${c.memory}/memory.usage_in_bytes`, '4096\n')
  t.equal(await memoryBytes(c), 4096)
})

t.test('pids of the whole subtree', async (t) => {
  const c = await fakeCgroups()
  await mkdir(`${c.unified}/payload/init.scope`, { recursive: true })
  await writeFile(`${c.unified}/cgroup.procs`, '10\n')
  await writeFile(`${c.unified}/payload/init.scope/cgroup.procs`, '11\n12\n')
  t.strictSame((await pidsOf(c.unified)).sort(), [10, 11, 12])
  t.strictSame(await pidsOf('/nonexistent'), [])
})

t.test('kill writes cgroup.kill and waits for the subtree to empty; nothing to kill is fine', async (t) => {
  const c = await fakeCgroups()
  await killCgroups(c)
  await createCgroups(c)
  await writeFile(`${c.unified}/cgroup.kill`, '')
  await writeFile(`${c.unified}/cgroup.events`, 'populated 1\n')
  setTimeout(() => void writeFile(`${c.unified}/cgroup.events`, 'populated 0\n'), 60)
  await killCgroups(c)
  t.equal(await readFile(`${c.unified}/cgroup.kill`, 'utf8'), '1')
  t.equal(await populated(c), false)
  await writeFile(`${c.unified}/cgroup.events`, 'populated 1\n')
  const t0 = Date.now()
  await killCgroups(c, 50)
  t.ok(Date.now() - t0 < 1000, 'gives up after its timeout')
})

t.test('remove: children first, idempotent; a real error surfaces', async (t) => {
  const c = await fakeCgroups()
  await mkdir(`${c.unified}/payload/a`, { recursive: true })
  await mkdir(c.systemd, { recursive: true })
  await removeCgroups(c)
  await removeCgroups(c)
  await mkdir(c.unified, { recursive: true })
  await writeFile(`${c.unified}/cgroup.procs`, '') // a regular file makes rmdir fail with ENOTEMPTY
  await t.rejects(removeCgroups(c), { code: 'ENOTEMPTY' })
})
