import { spawn } from 'node:child_process'
import { mkdir, open, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { createCgroups, killCgroups, populated, removeCgroups } from './cgroups.js'
import type { CgroupPaths } from './layout.js'
import type { Command } from './runner.js'

/**
 * The wrapper that moves itself into the unit's cgroups, then becomes the
 * command (`exec`), so the recorded PID is the command's and every child
 * it starts stays in those cgroups.
 */
export function inCgroupsCommand(c: CgroupPaths, cmd: Command): Command {
  const script = 'while [ "$1" != -- ]; do echo $$ > "$1/cgroup.procs" || exit 97; shift; done; shift; exec "$@"'
  return ['sh', '-c', script, 'sh', c.unified, c.systemd, c.memory, '--', ...cmd]
}

/** What to start in the background. */
export interface DaemonSpec {
  readonly cmd: Command
  readonly cgroups: CgroupPaths
  readonly pidFile: string
  /** stdout and stderr go here (appended). */
  readonly logFile: string
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
}

/**
 * Start `spec.cmd` detached in cgroups of its own, record its PID and
 * return it. The caller's process may exit; the daemon keeps running until
 * {@link stopDaemon} kills its cgroup.
 */
export async function startDaemon(spec: DaemonSpec): Promise<number> {
  await createCgroups(spec.cgroups)
  await mkdir(dirname(spec.pidFile), { recursive: true })
  await mkdir(dirname(spec.logFile), { recursive: true })
  const log = await open(spec.logFile, 'a')
  try {
    const [file, ...args] = inCgroupsCommand(spec.cgroups, spec.cmd) as [string, ...string[]]
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...spec.env },
      cwd: spec.cwd ?? '/',
    })
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject)
      child.once('spawn', () => resolve(child.pid as number))
    })
    child.unref()
    await writeFile(spec.pidFile, `${pid}\n`)
    return pid
  } finally {
    await log.close()
  }
}

/** The recorded PID, if any. */
export async function recordedPid(pidFile: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => '')
  const pid = Number.parseInt(text, 10)
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/** Kill everything in the daemon's cgroups and remove them; idempotent. */
export async function stopDaemon(c: CgroupPaths): Promise<void> {
  await killCgroups(c)
  await removeCgroups(c)
}

/** Whether the daemon has any process left. */
export async function daemonRunning(c: CgroupPaths): Promise<boolean> {
  return populated(c)
}
