import { readFile, realpath, stat } from 'node:fs/promises'
import { dirname, join, posix, sep } from 'node:path'

/** One directory copied into the artifact: `from` (a real path) to `to` (relative to the artifact's root). */
export interface PackageCopy {
  readonly name: string
  readonly version: string
  readonly from: string
  readonly to: string
  /** A workspace package: only its `package.json` and the `.js` of its `dist/` are copied. */
  readonly workspace: boolean
}

/** Options of {@link collectPackages}. */
export interface CollectOptions {
  /** Dependencies left out on purpose, with the reason (written to the build's output). */
  readonly exclude?: Readonly<Record<string, string>>
}

interface Manifest {
  readonly name: string
  readonly version: string
  readonly dependencies?: Readonly<Record<string, string>>
  readonly optionalDependencies?: Readonly<Record<string, string>>
}

export const readManifest = async (dir: string): Promise<Manifest> => JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest

const exists = async (p: string): Promise<boolean> => (await stat(p).catch(() => undefined))?.isDirectory() === true

/** Node's resolution of a package directory: `<dir>/node_modules/<name>` from `from` up to the file system root. */
export async function resolvePackageDir(name: string, from: string): Promise<string | undefined> {
  const dirs = [from]
  while (dirname(dirs.at(-1)!) !== dirs.at(-1)) dirs.push(dirname(dirs.at(-1)!))
  for (const dir of dirs) {
    const candidate = join(dir, 'node_modules', name)
    if (await exists(candidate)) return await realpath(candidate)
  }
  return undefined
}

const isWorkspace = (realDir: string): boolean => !realDir.split(sep).includes('node_modules')

/**
 * Lays out the production dependency tree of the package at `root` as a
 * self-contained `node_modules`, the way npm hoists: a dependency goes to
 * the top level unless another version is already there, then under the
 * package that needs it. Node's resolution from each copied package finds
 * the same version it finds in the workspace. Dependencies are visited in
 * sorted order, so the layout does not depend on the file system.
 * Optional dependencies that are not installed are skipped, as npm does.
 */
export async function collectPackages(root: string, o: CollectOptions = {}): Promise<readonly PackageCopy[]> {
  const exclude = o.exclude ?? {}
  const top = new Map<string, string>()
  const out: PackageCopy[] = []
  // Breadth first: the packages nearer the root claim the top level first, as npm's hoisting does.
  const queueRoot = await realpath(root)
  const queue: { real: string; dest: string }[] = [{ real: queueRoot, dest: '' }]
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const m = await readManifest(next.real)
    const names = [...new Set([...Object.keys(m.dependencies ?? {}), ...Object.keys(m.optionalDependencies ?? {})])].sort()
    for (const name of names) {
      if (name in exclude) continue
      const real = await resolvePackageDir(name, next.real)
      if (real === undefined) {
        if (name in (m.optionalDependencies ?? {})) continue
        throw new Error(`${m.name}: dependency ${name} is not installed (run npm ci)`)
      }
      const placed = top.get(name)
      if (placed === real) continue
      const to = placed === undefined ? posix.join('node_modules', name) : posix.join(next.dest, 'node_modules', name)
      // Each package is visited once per place it is copied to, so `to` is never taken twice.
      if (placed === undefined) top.set(name, real)
      const dep = await readManifest(real)
      out.push({ name, version: dep.version, from: real, to, workspace: isWorkspace(real) })
      queue.push({ real, dest: to })
    }
  }
  out.sort((a, b) => (a.to < b.to ? -1 : 1))
  await checkLayout(queueRoot, out, exclude)
  return out
}

/** Where Node finds `name` from `fromDest` inside the laid-out tree. */
function resolveInLayout(byDest: ReadonlyMap<string, PackageCopy>, name: string, fromDest: string): PackageCopy | undefined {
  // `node_modules/a/node_modules/b` looks in `node_modules/a/node_modules/b/node_modules`, then `node_modules/a/node_modules`, then `node_modules`.
  const parts = fromDest === '' ? [] : fromDest.split('/')
  for (let n = parts.length; n >= 0; n--) {
    const hit = byDest.get([...parts.slice(0, n), 'node_modules', name].join('/'))
    if (hit !== undefined) return hit
  }
  return undefined
}

/** Every package must find, in the layout, the very directory it finds in the workspace (a shadowed hoist fails here). */
export async function checkLayout(rootReal: string, copies: readonly PackageCopy[], exclude: Readonly<Record<string, string>>): Promise<void> {
  const byDest = new Map(copies.map((c) => [c.to, c]))
  for (const c of [{ from: rootReal, to: '' }, ...copies]) {
    const m = await readManifest(c.from)
    for (const name of Object.keys({ ...m.dependencies, ...m.optionalDependencies })) {
      if (name in exclude) continue
      const want = await resolvePackageDir(name, c.from)
      const got = resolveInLayout(byDest, name, c.to)
      if (want !== undefined && got?.from !== want) throw new Error(`artifact layout: ${c.to || 'the root'} would load ${name} from ${got?.to ?? 'nowhere'}, not ${want}`)
    }
  }
}
