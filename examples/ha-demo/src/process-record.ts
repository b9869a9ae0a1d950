import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { HaDemoError } from './errors.js'
import { waitUntil } from './wait-until.js'

/** A process the demo started: its PID and a string its command line must contain, so a reused PID is never signalled. */
export interface ProcessRecord {
  readonly pid: number
  readonly marker: string
}

/**
 * Starts `command` detached (own process group), stdout and stderr appended to `logFile`, with
 * exactly `env`; unref'd, so the caller may exit and leave it running. Resolves with its record.
 */
export async function spawnRecorded(command: string, args: readonly string[], options: {
  logFile: string; env: Record<string, string>; marker: string
}): Promise<ProcessRecord> {
  const fd = openSync(options.logFile, 'a', 0o600)
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: options.env })
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number))
      child.once('error', (err) => reject(new HaDemoError('DEMO_PROCESS_EXITED', `cannot start ${command}: ${err.message}`, { cause: err })))
    })
    child.unref()
    return { pid, marker: options.marker }
  } finally {
    closeSync(fd)
  }
}

/** True when the process runs (zombies count as gone) and its command line still holds the marker. */
export async function isAlive(record: ProcessRecord): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${record.pid}/stat`, 'utf8')
    const cmdline = (await readFile(`/proc/${record.pid}/cmdline`, 'utf8')).replaceAll('\0', ' ')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z' && cmdline.includes(record.marker)
  } catch {
    return false
  }
}

/** Sends `signal` to the process if it is alive and ours; returns whether it was sent. */
export async function signalRecorded(record: ProcessRecord, signal: NodeJS.Signals): Promise<boolean> {
  if (!(await isAlive(record))) return false
  /* c8 ignore start */ // the catch: it exited between the check and the signal, a race a test cannot pin
  try {
    process.kill(record.pid, signal)
  } catch {
    return false
  }
  /* c8 ignore stop */
  return true
}

/** Waits until the process is gone; throws `DEMO_TIMEOUT` after `timeoutMs`. */
export async function waitForExit(record: ProcessRecord, timeoutMs: number): Promise<void> {
  await waitUntil(`pid ${record.pid} to exit`, async () => !(await isAlive(record)), { timeoutMs, intervalMs: 50 })
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
export async function terminateRecorded(record: ProcessRecord, graceMs: number): Promise<void> {
  if (!(await signalRecorded(record, 'SIGTERM'))) return
  try {
    await waitForExit(record, graceMs)
  } catch {
    await signalRecorded(record, 'SIGKILL')
    await waitForExit(record, 5_000)
  }
}
