import { connect } from 'node:net'
import { HaDemoError } from './errors.js'

/** One server line of `show stat`. */
export interface ServerStat {
  readonly backend: string
  readonly server: string
  /** `UP`, `DOWN`, `MAINT`, `DRAIN`, `UP 1/2`, `no check`… */
  readonly status: string
  /** Current sessions. */
  readonly sessions: number
}

/** The operational states `set server <be>/<srv> state` accepts. */
export type ServerAdminState = 'ready' | 'drain' | 'maint'

/**
 * Sends one command to haproxy's runtime API (a `stats socket`) and resolves with its answer.
 * Throws `DEMO_HAPROXY_COMMAND` when the socket cannot be reached or does not answer in `timeoutMs`.
 */
export async function haproxyCommand(socketPath: string, command: string, timeoutMs = 2_000): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect({ path: socketPath })
    const chunks: Buffer[] = []
    const fail = (err: Error): void => {
      socket.destroy()
      reject(new HaDemoError('DEMO_HAPROXY_COMMAND', `haproxy runtime API ${socketPath}: ${command}: ${err.message}`, { cause: err }))
    }
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)))
    socket.on('connect', () => socket.end(`${command}\n`))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.on('error', fail)
  })
}

/** Parses `show stat` CSV into server rows (frontends and backend totals are left out). */
export function parseShowStat(csv: string): ServerStat[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '')
  const header = (lines.shift() ?? '').replace(/^# /, '').split(',')
  const col = (name: string): number => header.indexOf(name)
  const [px, sv, st, scur] = [col('pxname'), col('svname'), col('status'), col('scur')]
  if ([px, sv, st, scur].includes(-1)) throw new HaDemoError('DEMO_HAPROXY_COMMAND', `not a show stat answer: ${csv.slice(0, 80)}`)
  return lines.map((l) => l.split(','))
    .filter((f) => f[sv] !== 'FRONTEND' && f[sv] !== 'BACKEND')
    .map((f) => ({ backend: f[px] as string, server: f[sv] as string, status: f[st] as string, sessions: Number(f[scur]) }))
}

/** `show stat` of every server. */
export async function showServers(socketPath: string): Promise<ServerStat[]> {
  return parseShowStat(await haproxyCommand(socketPath, 'show stat'))
}

/** `set server <backend>/<server> state <state>`; throws `DEMO_HAPROXY_COMMAND` when haproxy answers with an error. */
export async function setServerState(socketPath: string, backend: string, server: string, state: ServerAdminState): Promise<void> {
  const answer = (await haproxyCommand(socketPath, `set server ${backend}/${server} state ${state}`)).trim()
  if (answer !== '') throw new HaDemoError('DEMO_HAPROXY_COMMAND', `set server ${backend}/${server} state ${state}: ${answer}`)
}
