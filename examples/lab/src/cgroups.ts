import { mkdir, readFile, readdir, rmdir, stat, writeFile } from 'node:fs/promises'
import type { CgroupPaths } from './layout.js'

/**
 * The cgroups of one lab process (a host or one of the lab's daemons).
 * There is no systemd on the machine to give each container its own cgroup
 * (two nspawns started from one cgroup share `<cgroup>/payload`), so the
 * lab puts each wrapper into cgroups of its own before exec'ing it.
 * Power cut = `cgroup.kill`, freeze = `cgroup.freeze` (cgroup2, kernel ≥ 5.14):
 * https://docs.kernel.org/admin-guide/cgroup-v2.html#core-interface-files
 */
export async function createCgroups(c: CgroupPaths): Promise<void> {
  for (const dir of [c.unified, c.systemd, c.memory]) await mkdir(dir, { recursive: true })
}

const exists = async (path: string): Promise<boolean> => stat(path).then(() => true, () => false)

/** Whether any process is left in the cgroup2 subtree (`cgroup.events` `populated 1`). */
export async function populated(c: CgroupPaths): Promise<boolean> {
  const events = await readFile(`${c.unified}/cgroup.events`, 'utf8').catch(() => 'populated 0')
  return /^populated 1$/m.test(events)
}

/** Every PID in the cgroup2 subtree. */
export async function pidsOf(dir: string): Promise<number[]> {
  const own = await readFile(`${dir}/cgroup.procs`, 'utf8').catch(() => '')
  const pids = own.split('\n').filter((l) => l !== '').map(Number)
  const subs = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const d of subs) if (d.isDirectory()) pids.push(...(await pidsOf(`${dir}/${d.name}`)))
  return pids
}

/** SIGKILL every process of the subtree at once, then wait until it is empty. */
export async function killCgroups(c: CgroupPaths, timeoutMs = 10_000): Promise<void> {
  if (!(await exists(`${c.unified}/cgroup.kill`))) return
  await writeFile(`${c.unified}/cgroup.kill`, '1')
  const until = Date.now() + timeoutMs
  while ((await populated(c)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
}

/**
 * Freeze (`true`) or thaw (`false`) the whole subtree, and wait (up to
 * `timeoutMs`) until `cgroup.events` says it is done: freezing is
 * asynchronous, `frozen 1` shows once every process has stopped.
 */
export async function freezeCgroups(c: CgroupPaths, freeze: boolean, timeoutMs = 5000): Promise<void> {
  await writeFile(`${c.unified}/cgroup.freeze`, freeze ? '1' : '0')
  const until = Date.now() + timeoutMs
  while ((await frozen(c)) !== freeze && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
}

/** Whether the subtree is frozen (`cgroup.events` `frozen 1`). */
export async function frozen(c: CgroupPaths): Promise<boolean> {
  const events = await readFile(`${c.unified}/cgroup.events`, 'utf8').catch(() => '')
  return /^frozen 1$/m.test(events)
}

async function removeTree(dir: string): Promise<void> {
  const subs = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const d of subs) if (d.isDirectory()) await removeTree(`${dir}/${d.name}`)
  await rmdir(dir).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  })
}

/** Remove the (empty) cgroup directories, children first. */
export async function removeCgroups(c: CgroupPaths): Promise<void> {
  for (const dir of [c.unified, c.systemd, c.memory]) await removeTree(dir)
}

/** RAM charged to the subtree (v1 memory controller: RSS + page cache), in bytes. */
export async function memoryBytes(c: CgroupPaths): Promise<number> {
  return Number((await readFile(`${c.memory}/memory.usage_in_bytes`, 'utf8').catch(() => '0')).trim())
}

