import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { ensureAtLeast, HOST_LIMITS } from '../../src/hosts/limits.js'

t.test('a limit is raised, never lowered', async (t) => {
  const f = `${await mkdtemp(`${tmpdir()}/lab-limit-`)}/max`
  await writeFile(f, '128\n')
  t.equal(await ensureAtLeast(f, 1024), 1024)
  t.equal(await readFile(f, 'utf8'), '1024\n')
  await writeFile(f, '4096\n')
  t.equal(await ensureAtLeast(f, 1024), 4096)
  t.equal(await readFile(f, 'utf8'), '4096\n')
  t.ok(HOST_LIMITS.some((l) => l.path === '/proc/sys/fs/inotify/max_user_instances' && l.min >= 1024))
})
