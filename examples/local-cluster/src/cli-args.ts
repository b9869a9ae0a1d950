import { parseArgs } from 'node:util'
import type { ClusterOptions } from './layout.js'

/** A parsed CLI command line. */
export type CliCommand =
  | { readonly command: 'up'; readonly options: ClusterOptions }
  | { readonly command: 'down' | 'status' | 'env' | 'kill-leader' | 'hang-leader' | 'resume'; readonly options: ClusterOptions }
  | { readonly command: 'switchover'; readonly options: ClusterOptions; readonly candidate?: string }
  | { readonly command: 'kill-member' | 'start-member' | 'reinit-member'; readonly options: ClusterOptions; readonly member: string }
  | { readonly command: 'stop-etcd-member' | 'start-etcd-member'; readonly options: ClusterOptions; readonly index: number }
  | { readonly command: 'help' | 'version'; readonly options: ClusterOptions }

/** The result of {@link parseCliArgs}: a command or a usage error (bad input is a result, not a throw). */
export type ParseResult = { readonly ok: true; readonly value: CliCommand } | { readonly ok: false; readonly error: string }

/** The CLI's usage text. */
export const USAGE = `usage: npm run cluster -- <command> [options]

commands:
  up [--etcd 1|3] [--base-port N] [--name X] [--timing fast|production] [--no-sync] [--dr] [--patroni 3|4]
  down                      stop every process and remove the data dir
  status                    members with role, state, timeline and lag
  env                       export lines for PATRONI_URLS, PGUSER, PGPASSWORD, PGDATABASE (prints a secret)
  kill-leader               SIGKILL the leader's Patroni and postmaster
  hang-leader               SIGSTOP the leader's Patroni
  resume                    SIGCONT every Patroni (ends a hang-leader)
  switchover [--candidate X]
  kill-member NAME | start-member NAME
  reinit-member NAME        wipe a replica and clone it from the leader (e.g. stuck after hang-leader)
  stop-etcd-member N | start-etcd-member N

every command takes --name X (default birthday) to pick the cluster; --help, --version`

const fail = (error: string): ParseResult => ({ ok: false, error })

/**
 * Parses the CLI's argv (after `node cli.js`). Unknown commands and flags, missing or extra
 * arguments and bad values come back as `{ ok: false, error }`.
 */
export function parseCliArgs(argv: readonly string[]): ParseResult {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        name: { type: 'string' },
        etcd: { type: 'string' },
        'base-port': { type: 'string' },
        timing: { type: 'string' },
        'no-sync': { type: 'boolean' },
        dr: { type: 'boolean' },
        patroni: { type: 'string' },
        candidate: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    })
  } catch (err) {
    return fail((err as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help === true) return { ok: true, value: { command: 'help', options: {} } }
  if (values.version === true) return { ok: true, value: { command: 'version', options: {} } }
  const [command, ...rest] = positionals
  const options: ClusterOptions = values.name === undefined ? {} : { name: values.name }
  const upOnly = (['etcd', 'base-port', 'timing', 'no-sync', 'dr', 'patroni'] as const).filter((k) => values[k] !== undefined)
  if (command !== 'up' && upOnly.length > 0) return fail(`--${upOnly[0]} only applies to up`)
  if (command !== 'switchover' && values.candidate !== undefined) return fail('--candidate only applies to switchover')
  const noArgs = (): ParseResult => (rest.length === 0 ? { ok: true, value: { command, options } as CliCommand } : fail(`${command} takes no arguments`))
  switch (command) {
    case 'up': {
      if (rest.length > 0) return noArgs()
      if (values.etcd !== undefined && values.etcd !== '1' && values.etcd !== '3') return fail('--etcd must be 1 or 3')
      const basePort = values['base-port'] === undefined ? undefined : Number(values['base-port'])
      if (basePort !== undefined && !/^\d+$/.test(values['base-port'] as string)) return fail('--base-port must be a number')
      if (values.timing !== undefined && values.timing !== 'fast' && values.timing !== 'production') {
        return fail('--timing must be fast or production')
      }
      if (values.patroni !== undefined && values.patroni !== '3' && values.patroni !== '4') return fail('--patroni must be 3 or 4')
      return {
        ok: true,
        value: {
          command,
          options: {
            ...options,
            ...(values.etcd === undefined ? {} : { etcdMembers: Number(values.etcd) as 1 | 3 }),
            ...(basePort === undefined ? {} : { basePort }),
            ...(values.timing === undefined ? {} : { timing: values.timing }),
            ...(values['no-sync'] === true ? { synchronousMode: false } : {}),
            ...(values.dr === true ? { drReplica: true } : {}),
            ...(values.patroni === undefined ? {} : { patroni: values.patroni }),
          },
        },
      }
    }
    case 'down': case 'status': case 'env': case 'kill-leader': case 'hang-leader': case 'resume':
      return noArgs()
    case 'switchover':
      if (rest.length > 0) return noArgs()
      return { ok: true, value: { command, options, ...(values.candidate === undefined ? {} : { candidate: values.candidate }) } }
    case 'kill-member': case 'start-member': case 'reinit-member':
      if (rest.length !== 1) return fail(`${command} takes one member name`)
      return { ok: true, value: { command, options, member: rest[0] as string } }
    case 'stop-etcd-member': case 'start-etcd-member': {
      if (rest.length !== 1 || !/^\d$/.test(rest[0] as string)) return fail(`${command} takes one etcd member index (0-2)`)
      return { ok: true, value: { command, options, index: Number(rest[0]) } }
    }
    case undefined:
      return fail('missing command')
    default:
      return fail(`unknown command ${JSON.stringify(command)}`)
  }
}
