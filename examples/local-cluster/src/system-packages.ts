import { execFile } from 'node:child_process'
import { access } from 'node:fs/promises'
import { promisify } from 'node:util'
import { LocalClusterError } from './errors.js'

/** The Debian packages the harness needs, and a file each one installs. */
export const SYSTEM_PACKAGES = {
  postgresql: '/usr/lib/postgresql/15/bin/postgres',
  patroni: '/usr/bin/patroni',
  'etcd-server': '/usr/bin/etcd',
  'etcd-client': '/usr/bin/etcdctl',
  haproxy: '/usr/sbin/haproxy',
} as const

/** Injected I/O of {@link ensurePackages}. */
export interface PackageDeps {
  readonly exists: (path: string) => Promise<boolean>
  readonly isRoot: () => boolean
  readonly run: (command: string, args: readonly string[]) => Promise<void>
  readonly log: (line: string) => void
}

const defaultDeps: PackageDeps = {
  exists: async (path) => await access(path).then(() => true, () => false),
  /* c8 ignore start */ // reached only when a package is missing; the test machine has them (ensurePackages is tested with fakes)
  isRoot: () => process.getuid?.() === 0,
  run: async (command, args) => {
    await promisify(execFile)(command, [...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 << 20 })
  },
  log: () => {},
  /* c8 ignore stop */
}

/** {@link ensureSystemPackages} with injected I/O. */
export async function ensurePackages(deps: PackageDeps): Promise<void> {
  const missing: string[] = []
  for (const [name, file] of Object.entries(SYSTEM_PACKAGES)) if (!(await deps.exists(file))) missing.push(name)
  if (missing.length === 0) return
  const all = Object.keys(SYSTEM_PACKAGES).join(' ')
  if (!deps.isRoot()) {
    throw new LocalClusterError('LC_MISSING_PACKAGES',
      `missing ${missing.join(', ')}; install them with: sudo apt-get update && sudo apt-get install -y ${all}`)
  }
  deps.log(`installing ${missing.join(', ')} with apt-get`)
  try {
    await deps.run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update'])
    await deps.run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', ...Object.keys(SYSTEM_PACKAGES)])
  } catch (err) {
    throw new LocalClusterError('LC_MISSING_PACKAGES', `apt-get install -y ${all} failed: ${(err as Error).message}`, { cause: err })
  }
}

/**
 * Makes sure PostgreSQL 15, Patroni, etcd (server and client) and haproxy are installed: when one
 * is missing and this runs as root, `apt-get update` then `apt-get install -y` them; otherwise
 * throws `LC_MISSING_PACKAGES` with the one-line command to run.
 *
 * @example
 * ```ts
 * await ensureSystemPackages() // no-op when everything is there
 * ```
 */
export async function ensureSystemPackages(): Promise<void> {
  await ensurePackages(defaultDeps)
}
