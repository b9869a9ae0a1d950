import { spawn } from 'node:child_process'
import { LabError } from './lab-error.js'

/** A command as argv: never a shell string. */
export type Command = readonly string[]

/** What a finished command left. */
export interface CommandResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Options of {@link Runner.run}. */
export interface RunOptions {
  /** Written to the command's stdin. */
  readonly input?: string
  /** Return a non-zero exit instead of throwing `LAB_COMMAND_FAILED`. */
  readonly allowFail?: boolean
  readonly env?: Readonly<Record<string, string>>
  readonly timeoutMs?: number
}

/** Runs commands on the machine that runs the lab (injected, so tests can record what would run). */
export interface Runner {
  run(cmd: Command, o?: RunOptions): Promise<CommandResult>
}

/** The real runner: `child_process.spawn` without a shell; throws `LAB_COMMAND_FAILED` on a non-zero exit. */
export function execRunner(): Runner {
  return {
    run: (cmd, o = {}) =>
      new Promise((resolve, reject) => {
        const [file, ...args] = cmd
        /* c8 ignore next */ // programmer error: callers build argv with a program name
        if (file === undefined) throw new TypeError('empty command')
        const child = spawn(file, args, {
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, ...o.env },
          ...(o.timeoutMs === undefined ? {} : { timeout: o.timeoutMs }),
        })
        const out: Buffer[] = []
        const err: Buffer[] = []
        child.stdout.on('data', (b: Buffer) => out.push(b))
        child.stderr.on('data', (b: Buffer) => err.push(b))
        child.on('error', (cause) =>
          reject(new LabError('LAB_COMMAND_FAILED', `cannot run ${file}`, { cause, details: { command: cmd } })),
        )
        child.on('close', (code, signal) => {
          const result = { code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }
          if (result.code === 0 || o.allowFail === true) return void resolve(result)
          reject(
            new LabError('LAB_COMMAND_FAILED', `${cmd.join(' ')} exited ${code ?? signal}: ${result.stderr.trim().slice(-500)}`, {
              details: { command: cmd, code: result.code, stderr: result.stderr.slice(-2000) },
            }),
          )
        })
        child.stdin.on('error', () => {})
        child.stdin.end(o.input ?? '')
      }),
  }
}
