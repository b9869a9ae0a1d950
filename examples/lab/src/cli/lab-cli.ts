import { LAB_USAGE, parseLabArgs, type LabCommand } from './lab-args.js'

/** Where the CLI writes. */
export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

/** Runs one parsed command; resolves with the exit code. */
export type CommandRunner = (command: Exclude<LabCommand, { name: 'help' | 'version' }>) => Promise<number>

/**
 * The lab CLI: `--help` (exit 0), `--version`, usage errors (what was wrong,
 * then the usage, exit 2), then the command; an error it throws is one line
 * on stderr with its code, exit 1. Nothing is printed with a stack trace.
 */
export async function runLabCli(argv: readonly string[], io: CliIo, o: { readonly version: string; readonly run: CommandRunner }): Promise<number> {
  const parsed = parseLabArgs(argv)
  if (!parsed.ok) {
    io.err(`lab: ${parsed.error}\n\n${LAB_USAGE}\n`)
    return 2
  }
  const c = parsed.command
  if (c.name === 'help') {
    io.out(`${LAB_USAGE}\n`)
    return 0
  }
  if (c.name === 'version') {
    io.out(`${o.version}\n`)
    return 0
  }
  try {
    return await o.run(c)
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown }
    io.err(`lab ${c.name}: ${typeof e.code === 'string' ? `${e.code}: ` : ''}${String(e.message ?? err)}\n`)
    return 1
  }
}
