import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { LocalClusterError } from './errors.js'
import { waitFor } from './wait.js'

/** A process the harness started, as recorded in the state file. */
export interface ProcessRecord {
  readonly pid: number
  /** A string its `/proc/<pid>/cmdline` must contain (a config path), so a reused PID is never signalled. */
  readonly marker: string
}

/** The clean environment Patroni and etcd start with (a stray `ETCD_*` variable can make etcd exit). */
export const CLEAN_PATH = '/usr/lib/postgresql/15/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/**
 * Starts `command` detached (own process group and session), stdout and stderr appended to
 * `logFile`, stdin closed, with exactly `env`. The child is unref'd: the caller may exit and leave
 * it running. Resolves with its PID once it was spawned.
 */
export async function spawnDetached(command: string, args: readonly string[], logFile: string,
  env: Record<string, string>): Promise<number> {
  const fd = openSync(logFile, 'a', 0o600)
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env })
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number))
      child.once('error', (err) => reject(new LocalClusterError('LC_PROCESS_EXITED', `cannot start ${command}: ${err.message}`, { cause: err })))
    })
    child.unref()
    return pid
  } finally {
    closeSync(fd)
  }
}

/** The process state letter from `/proc/<pid>/stat`, or undefined when there is no such process. */
async function procState(pid: number): Promise<{ state: string; cmdline: string } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ')
    return { state: stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3), cmdline }
  } catch {
    return undefined
  }
}

/**
 * True when the recorded process still runs (zombies count as gone) and is still ours (marker in
 * its cmdline). While a process is inside execve (setpriv → env → patroni) its cmdline reads
 * empty for a moment, so an empty one is read again for up to ~200 ms before deciding.
 */
export async function isAlive(record: ProcessRecord): Promise<boolean> {
  const running = (proc: Awaited<ReturnType<typeof procState>>): proc is { state: string; cmdline: string } =>
    proc !== undefined && proc.state !== 'Z'
  let proc = await procState(record.pid)
  for (let attempt = 1; running(proc) && proc.cmdline === '' && attempt < 10; attempt++) {
    await sleep(20)
    proc = await procState(record.pid)
  }
  return running(proc) && proc.cmdline.includes(record.marker)
}

/**
 * Sends `signal` to the recorded process (with `group`, to its whole process group, which it leads
 * as it was started detached) if it is alive and ours. Returns whether it was signalled.
 */
export async function signalProcess(record: ProcessRecord, signal: NodeJS.Signals,
  options: { group?: boolean } = {}): Promise<boolean> {
  if (!(await isAlive(record))) return false
  try {
    process.kill(options.group === true ? -record.pid : record.pid, signal)
    return true
  } catch {
    // It exited between the check and the signal, or (with `group`) it leads no process group.
    return false
  }
}

/** Waits until the recorded process is gone. Throws `LC_TIMEOUT` after `timeoutMs`. */
export async function waitForExit(record: ProcessRecord, timeoutMs: number): Promise<void> {
  await waitFor(`pid ${record.pid} to exit`, async () => !(await isAlive(record)), { timeoutMs, intervalMs: 50 })
}

/**
 * Stops the recorded process: SIGTERM (a stopped one also gets SIGCONT), then SIGKILL after
 * `graceMs`, then waits for it to be gone. Idempotent.
 */
export async function terminate(record: ProcessRecord, graceMs = 10_000, options: { group?: boolean } = {}): Promise<void> {
  if (!(await signalProcess(record, 'SIGTERM', options))) return
  await signalProcess(record, 'SIGCONT', options)
  try {
    await waitForExit(record, graceMs)
  } catch {
    await signalProcess(record, 'SIGKILL', options)
    await waitForExit(record, 5_000)
  }
}

/** The postmaster PID from `<dataDir>/postmaster.pid`, or undefined when PostgreSQL is not running there. */
export async function readPostmasterPid(dataDir: string): Promise<ProcessRecord | undefined> {
  try {
    const pid = Number((await readFile(`${dataDir}/postmaster.pid`, 'utf8')).split('\n', 1)[0])
    return Number.isInteger(pid) && pid > 0 ? { pid, marker: dataDir } : undefined
  } catch {
    return undefined
  }
}
