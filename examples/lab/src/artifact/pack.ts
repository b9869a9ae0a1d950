import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { posix } from 'node:path'
import { create } from 'tar'

/** Every path under `dir` (directories and files), relative, sorted by code unit: the archive's order. */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(rel === '' ? dir : posix.join(dir, rel), { withFileTypes: true })) {
      const p = rel === '' ? e.name : posix.join(rel, e.name)
      out.push(p)
      if (e.isDirectory()) await walk(p)
    }
  }
  await walk('')
  // Paths are unique: never equal.
  return out.sort((a, b) => (a < b ? -1 : 1))
}

/**
 * Write `dir` as a reproducible `.tar.gz`: entries sorted, one fixed mtime,
 * no owner, group, atime or ctime (node-tar's `portable`), modes normalised
 * to 0644/0755, gzip with no timestamp in its header (zlib writes 0). The
 * same tree gives the same bytes on any machine.
 */
export async function packReproducible(dir: string, file: string, mtime: Date): Promise<void> {
  await create({ cwd: dir, file, gzip: { level: 9 }, portable: true, mtime, noDirRecurse: true, strict: true }, await listTree(dir))
}

/** SHA-256 (hex) of a file. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer)
  return h.digest('hex')
}
