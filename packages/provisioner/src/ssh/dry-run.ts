import { createHash } from 'node:crypto'
import type { FileOptions, RunResult, SshSession, SshSessionFactory } from './session.js'

/** Options of {@link dryRunSessions}. */
export interface DryRunOptions {
  /** Values to replace with `<redacted>` in everything printed. */
  readonly secrets: readonly string[]
  readonly print: (line: string) => void
  /** Answer a command (default: empty stdout). Tests script hosts with it. */
  readonly respond?: (host: string, command: string) => string
}

/**
 * Sessions that change nothing: every command and file (content included,
 * secrets redacted) is printed instead. Used by `--dry-run`.
 *
 * @example
 * ```ts
 * await configureHosts(stack, { sessions: dryRunSessions({ secrets: Object.values(secrets), print: console.log }), secrets, dryRun: true })
 * ```
 */
export function dryRunSessions(o: DryRunOptions): SshSessionFactory {
  const redact = (text: string): string => o.secrets.filter((s) => s.length > 0).reduce((acc, s) => acc.replaceAll(s, '<redacted>'), text)
  return async (target) => {
    const host = target.name
    const session: SshSession = {
      host: target.host,
      async run(command: string): Promise<RunResult> {
        o.print(`[${host}] $ ${redact(command)}`)
        return { stdout: o.respond?.(host, command) ?? '', stderr: '' }
      },
      async writeFile(path: string, content: string, options: FileOptions = {}): Promise<boolean> {
        const sha = createHash('sha256').update(content).digest('hex').slice(0, 12)
        o.print(`[${host}] write ${path} (mode ${(options.mode ?? 0o600).toString(8)}, ${options.owner ?? 'root:root'}, sha256 ${sha}…)`)
        for (const line of redact(content).trimEnd().split('\n')) o.print(`[${host}]   | ${line}`)
        return true
      },
      async uploadFile(localPath: string, remotePath: string): Promise<void> {
        o.print(`[${host}] upload ${localPath} -> ${remotePath}`)
      },
      async close(): Promise<void> {},
      [Symbol.asyncDispose]: async () => {},
    }
    return session
  }
}
