import { parseArgs } from 'node:util'

/** A command of `npm run lab --`. */
export type LabCommand =
  | { readonly name: 'up' | 'deploy' | 'down' | 'promote-dr' | 'rebuild-primary' | 'fail-back' | 'heal' | 'help' | 'version' }
  | { readonly name: 'status'; readonly json: boolean }
  | { readonly name: 'power-off' | 'freeze' | 'thaw' | 'boot'; readonly host: string }
  | { readonly name: 'partition'; readonly host: string; readonly from: readonly string[] }
  | { readonly name: 'delay'; readonly link: 'dr'; readonly ms: number }

/** The result of {@link parseLabArgs}: a command, or what was wrong. */
export type ParsedArgs = { readonly ok: true; readonly command: LabCommand } | { readonly ok: false; readonly error: string }

export const LAB_USAGE = `Usage: npm run lab -- <command>

Commands:
  up                          build what is missing, boot the hosts, configure them, deploy; prints url: and the status
  status [--json]             every database member with its Patroni role, the app hosts behind the load balancer
  deploy                      build the artifact of the working tree and roll it out through the load balancer
  down                        remove the lab: no process, mount, cgroup, namespace, bridge or route left
  promote-dr                  promote the DR standby cluster and move the app hosts to it
  rebuild-primary             after promote-dr: wipe db1-3 and rebuild them as a standby cluster of dr1
  fail-back                   after rebuild-primary: make db1-3 the primary again, dr1 their standby
  power-off HOST              cut the power of HOST (bastion, db1-3, app1-2, dr1, edge)
  freeze HOST | thaw HOST     freeze every process of HOST, or let it run again
  boot HOST                   boot HOST from its disk
  partition HOST --from H,…   cut HOST off from the listed hosts, both ways
  heal                        remove every partition
  delay dr MS                 one-way delay of the DR peering, in milliseconds

Options:
  --help, -h                  this text
  --version                   the lab's version`

const HOST = /^[a-z][a-z0-9-]{0,30}$/
const FAULTS = ['power-off', 'freeze', 'thaw', 'boot'] as const

/**
 * Parse the lab CLI's arguments. Unknown commands, missing or extra
 * arguments and malformed hosts or numbers are reported, never thrown.
 */
export function parseLabArgs(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: { help: { type: 'boolean'; short: 'h' }; version: { type: 'boolean' }; json: { type: 'boolean' }; from: { type: 'string' } }; allowPositionals: true; strict: true }>>
  try {
    parsed = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' }, json: { type: 'boolean' }, from: { type: 'string' } }, allowPositionals: true, strict: true })
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
  const { values: v, positionals: p } = parsed
  if (v.help === true) return { ok: true, command: { name: 'help' } }
  if (v.version === true) return { ok: true, command: { name: 'version' } }
  const [name, ...rest] = p
  const fail = (error: string): ParsedArgs => ({ ok: false, error })
  const only = (...allowed: string[]): string | undefined => {
    for (const k of ['json', 'from'] as const) if (v[k] !== undefined && !allowed.includes(k)) return `${name} takes no --${k}`
    return undefined
  }
  if (name === undefined) return fail('no command given')
  switch (name) {
    case 'up':
    case 'deploy':
    case 'down':
    case 'promote-dr':
    case 'rebuild-primary':
    case 'fail-back':
    case 'heal': {
      const bad = only() ?? (rest.length > 0 ? `${name} takes no argument, got ${rest.join(' ')}` : undefined)
      return bad === undefined ? { ok: true, command: { name } } : fail(bad)
    }
    case 'status': {
      const bad = only('json') ?? (rest.length > 0 ? `status takes no argument, got ${rest.join(' ')}` : undefined)
      return bad === undefined ? { ok: true, command: { name, json: v.json === true } } : fail(bad)
    }
    case 'partition': {
      const bad = only('from')
      if (bad !== undefined) return fail(bad)
      if (rest.length !== 1) return fail('partition takes one HOST')
      const host = rest[0]!
      if (!HOST.test(host)) return fail(`not a host name: ${JSON.stringify(host)}`)
      if (v.from === undefined) return fail('partition needs --from HOST,…')
      const from = v.from.split(',').map((h) => h.trim())
      const wrong = from.find((h) => !HOST.test(h))
      if (wrong !== undefined) return fail(`not a host name in --from: ${JSON.stringify(wrong)}`)
      if (from.includes(host)) return fail(`${host} cannot be partitioned from itself`)
      return { ok: true, command: { name, host, from } }
    }
    case 'delay': {
      const bad = only()
      if (bad !== undefined) return fail(bad)
      if (rest.length !== 2 || rest[0] !== 'dr') return fail('usage: delay dr MS')
      const ms = Number(rest[1])
      if (!/^\d+$/.test(rest[1]!) || ms > 10_000) return fail(`MS must be an integer from 0 to 10000, got ${JSON.stringify(rest[1])}`)
      return { ok: true, command: { name, link: 'dr', ms } }
    }
    default: {
      const fault = FAULTS.find((f) => f === name)
      if (fault === undefined) return fail(`unknown command ${JSON.stringify(name)}`)
      const bad = only()
      if (bad !== undefined) return fail(bad)
      if (rest.length !== 1) return fail(`${fault} takes one HOST`)
      if (!HOST.test(rest[0]!)) return fail(`not a host name: ${JSON.stringify(rest[0])}`)
      return { ok: true, command: { name: fault, host: rest[0]! } }
    }
  }
}
