import { execFile } from 'node:child_process'
import { access, chmod, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { LocalClusterError } from './errors.js'
import { PATRONI4_DIR } from './patroni-release.js'

/** The one apt source of the private configuration: Debian 13's main archive, checked with Debian's keyring. */
export const TRIXIE_SOURCE = 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main'

/**
 * The trixie packages unpacked: Patroni 4.0.7, and python3-ydiff, which it imports and bookworm
 * lacks. Bookworm's python3-etcd, psycopg2, urllib3, yaml, click, dateutil, prettytable and
 * psutil (installed with Debian 12's patroni) serve it as they are.
 */
export const PATRONI4_PACKAGES = ['patroni', 'python3-ydiff'] as const

/** The Patroni package file trixie must serve. */
const PATRONI4_DEB = /^patroni_4\.0\.7-[^_]+_all\.deb$/

/** Files (relative to the tree) whose presence means the tree is complete. */
export const PATRONI4_FILES = [
  'usr/bin/patroni',
  'usr/lib/python3/dist-packages/patroni/__init__.py',
  'usr/lib/python3/dist-packages/ydiff.py',
] as const

/** Injected I/O of {@link installPatroni4}: runs a command (rejecting when it fails) and logs progress. */
export interface Patroni4InstallDeps {
  readonly run: (command: string, args: readonly string[], options: { readonly cwd: string; readonly env: Readonly<Record<string, string>> }) => Promise<void>
  readonly log: (line: string) => void
}

const exists = async (path: string): Promise<boolean> => await access(path).then(() => true, () => false)

async function isComplete(dir: string): Promise<boolean> {
  for (const file of PATRONI4_FILES) if (!(await exists(join(dir, file)))) return false
  return true
}

/**
 * A private apt configuration under `apt`: its own sources list (one trixie line), lists, cache and
 * (empty) dpkg status, and none of the machine's `/etc/apt` (no `apt.conf.d` snippets, so no
 * update hooks run either). Returns the file to point `APT_CONFIG` at.
 */
async function writeAptConfig(apt: string): Promise<string> {
  for (const sub of ['etc/parts', 'etc/sources.list.d', 'etc/preferences.d', 'state/lists/partial', 'cache/archives/partial']) {
    await mkdir(join(apt, sub), { recursive: true })
  }
  await writeFile(join(apt, 'etc/sources.list'), `${TRIXIE_SOURCE}\n`)
  await writeFile(join(apt, 'state/status'), '')
  const config = join(apt, 'apt.conf')
  await writeFile(config, [
    'Dir::Etc::Main "/dev/null";',
    `Dir::Etc::Parts "${apt}/etc/parts";`,
    `Dir::Etc::SourceList "${apt}/etc/sources.list";`,
    `Dir::Etc::SourceParts "${apt}/etc/sources.list.d";`,
    `Dir::Etc::Preferences "${apt}/etc/preferences";`,
    `Dir::Etc::PreferencesParts "${apt}/etc/preferences.d";`,
    `Dir::State "${apt}/state";`,
    `Dir::State::status "${apt}/state/status";`,
    `Dir::Cache "${apt}/cache";`,
    'Dir::Cache::pkgcache "";',
    'Dir::Cache::srcpkgcache "";',
    'Acquire::Languages "none";',
    // The staging dir is root's, mode 0700: apt's _apt sandbox user could not write the downloads.
    'APT::Sandbox::User "root";',
    '',
  ].join('\n'))
  return config
}

/**
 * Puts trixie's Patroni 4.0.7 into `dir` without installing it: `apt-get update` and `apt-get
 * download` through a private apt configuration (the machine's apt sources, lists and dpkg
 * database stay untouched; no `dpkg -i`, which would replace Debian 12's Patroni 3.0.2), then
 * `dpkg -x` of each package into `dir`, byte-compiled (Patroni runs as `postgres`, which cannot
 * write `__pycache__` there). The `.deb` files stay in `dir/debs`. Everything happens in a sibling
 * staging dir renamed to `dir` at the end, so `dir` is either complete or absent, and two runs at
 * once are safe. Returns false, doing nothing, when the tree is already there.
 * Throws `LC_MISSING_PACKAGES` when a step fails (cause kept) or `dir` holds something else.
 */
export async function installPatroni4(dir: string, deps: Patroni4InstallDeps): Promise<boolean> {
  if (await isComplete(dir)) return false
  if (await exists(dir)) {
    throw new LocalClusterError('LC_MISSING_PACKAGES', `${dir} exists but holds no complete Patroni 4 tree; remove it and try again`)
  }
  try {
    await mkdir(dirname(dir), { recursive: true })
    const staging = await mkdtemp(`${dir}.partial-`)
    try {
      await unpackInto(staging, deps, dir)
    } finally {
      await rm(staging, { recursive: true, force: true })
    }
    return true
  } catch (err) {
    if (err instanceof LocalClusterError) throw err
    throw new LocalClusterError('LC_MISSING_PACKAGES', `fetching Patroni 4 from trixie into ${dir} failed: ${(err as Error).message}`, { cause: err })
  }
}

/** The steps of {@link installPatroni4} in `staging`, which ends renamed to `dir`. */
async function unpackInto(staging: string, deps: Patroni4InstallDeps, dir: string): Promise<void> {
  const apt = join(staging, 'apt')
  const debs = join(staging, 'debs')
  await mkdir(debs)
  const env = { APT_CONFIG: await writeAptConfig(apt) }
  deps.log(`fetching ${PATRONI4_PACKAGES.join(', ')} from Debian 13 (trixie) into ${dir}`)
  await deps.run('apt-get', ['-q', 'update'], { cwd: staging, env })
  await deps.run('apt-get', ['-q', 'download', ...PATRONI4_PACKAGES.map((p) => `${p}/trixie`)], { cwd: debs, env })
  const files = (await readdir(debs)).filter((f) => f.endsWith('.deb')).sort()
  if (!files.some((f) => PATRONI4_DEB.test(f))) {
    throw new LocalClusterError('LC_MISSING_PACKAGES', `trixie did not serve patroni 4.0.7 (got ${files.join(', ') || 'nothing'})`)
  }
  for (const file of files) await deps.run('dpkg', ['-x', join(debs, file), staging], { cwd: staging, env: {} })
  if (!(await isComplete(staging))) {
    throw new LocalClusterError('LC_MISSING_PACKAGES', `${files.join(', ')} unpacked without ${PATRONI4_FILES.join(', ')}`)
  }
  await deps.run('/usr/bin/python3', ['-m', 'compileall', '-q', join(staging, 'usr/lib/python3/dist-packages')], { cwd: staging, env: {} })
  await rm(apt, { recursive: true, force: true })
  await chmod(staging, 0o755) // mkdtemp made it 0700; postgres must read the tree
  await rename(staging, dir).catch(async (err: unknown) => {
    if (!(await isComplete(dir))) throw err // else another run finished first: its tree is as good
  })
  deps.log(`Patroni 4 unpacked in ${dir} (${files.join(', ')})`)
}

const defaultDeps = (log: (line: string) => void): Patroni4InstallDeps => ({
  /* c8 ignore start */ // reached only when the tree is missing; the test machine has it after the first run (installPatroni4 is tested with fakes)
  run: async (command, args, { cwd, env }) => {
    await promisify(execFile)(command, [...args], { cwd, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', ...env }, maxBuffer: 64 << 20 })
  },
  /* c8 ignore stop */
  log,
})

/**
 * Makes sure Debian 13's Patroni 4.0.7 is unpacked in `/var/cache/birthday-ha-patroni4` (see
 * {@link installPatroni4}); a no-op when it is. `startCluster({ patroni: '4' })` calls it.
 *
 * @example
 * ```ts
 * await ensurePatroni4((line) => console.error(line))
 * ```
 */
export async function ensurePatroni4(log: (line: string) => void): Promise<void> {
  await installPatroni4(PATRONI4_DIR, defaultDeps(log))
}
