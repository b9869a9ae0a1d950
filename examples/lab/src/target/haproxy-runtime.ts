import { connect } from 'node:net'
import type { SshSession } from '@birthday-ha/provisioner'
import { LabError } from '../lab-error.js'

/** Sends one command to haproxy's runtime API and resolves with its answer. */
export type RuntimeApi = (command: string) => Promise<string>

/** One server of a backend, from `show servers state` and `show stat`. */
export interface ServerState {
  readonly name: string
  /** `srv_op_state`: 0 stopped (health down), 1 starting, 2 running, 3 stopping. */
  readonly op: number
  /** `srv_admin_state` bits: 0x01 forced maintenance, 0x04 `disabled` in the config, 0x08 forced drain. */
  readonly admin: number
  /** Current sessions (`scur`): requests in flight on it. */
  readonly sessions: number
  /** Last health check result, e.g. `L7OK`, `L7STS`, `L4CON`, `INI`. */
  readonly check: string
}

const FMAINT = 0x01
const FDRAIN = 0x08

/** Whether the server is out by the operator (`set server … state maint`, or `disabled` and never made ready). */
export const inMaintenance = (s: ServerState): boolean => (s.admin & FMAINT) !== 0
/** Whether the server is draining (`set server … state drain`). */
export const draining = (s: ServerState): boolean => (s.admin & FDRAIN) !== 0

/**
 * ELBv2's target health for a haproxy server: `unused` (not registered),
 * `draining` (deregistering), `initial` (registering: checks not passed
 * yet), `healthy`, `unhealthy`.
 */
export function targetHealth(s: ServerState): string {
  if (inMaintenance(s)) return 'unused'
  if (draining(s)) return s.op === 2 ? 'draining' : 'initial'
  return s.op === 2 || s.op === 1 ? 'healthy' : s.op === 3 ? 'draining' : 'unhealthy'
}

function fail(what: string, answer: string): never {
  throw new LabError('LAB_COMMAND_FAILED', `haproxy runtime API: ${what}: ${answer.slice(0, 200)}`, { details: { answer: answer.slice(0, 500) } })
}

/** Parse `show servers state <backend>` (version 1) and `show stat` into the backend's servers. */
export function parseServers(backend: string, serversState: string, stat: string): ServerState[] {
  const lines = serversState.split('\n').map((l) => l.trim())
  if (lines[0] !== '1') fail('show servers state', serversState)
  const header = (lines[1] ?? '').replace(/^# /, '').split(' ')
  const at = (name: string): number => header.indexOf(name)
  const [be, sv, op, admin] = [at('be_name'), at('srv_name'), at('srv_op_state'), at('srv_admin_state')]
  if ([be, sv, op, admin].includes(-1)) fail('show servers state', serversState)
  const statLines = stat.split('\n').filter((l) => l.trim() !== '')
  const statHeader = (statLines.shift() ?? '').replace(/^# /, '').split(',')
  const col = (name: string): number => statHeader.indexOf(name)
  const [px, name, scur, check] = [col('pxname'), col('svname'), col('scur'), col('check_status')]
  if ([px, name, scur, check].includes(-1)) fail('show stat', stat)
  const stats = new Map(statLines.map((l) => l.split(',')).filter((f) => f[px] === backend).map((f) => [f[name], f]))
  return lines.slice(2).filter((l) => l !== '').map((l) => l.split(' ')).filter((f) => f[be] === backend).map((f) => {
    const st = stats.get(f[sv])
    return { name: f[sv] as string, op: Number(f[op]), admin: Number(f[admin]), sessions: Number(st?.[scur] ?? 0), check: st?.[check] ?? '' }
  })
}

/** Read every server of `backend`. */
export async function readServers(api: RuntimeApi, backend: string): Promise<ServerState[]> {
  return parseServers(backend, await api(`show servers state ${backend}`), await api('show stat'))
}

/** Run a runtime API command that answers nothing on success (`set server …`, `shutdown sessions …`). */
export async function runQuiet(api: RuntimeApi, command: string): Promise<void> {
  const answer = (await api(command)).trim()
  if (answer !== '') fail(command, answer)
}

/** The runtime API over a local Unix socket (a haproxy on this machine: tests, or the edge's socket seen from its namespace). */
export function socketRuntimeApi(path: string, timeoutMs = 3_000): RuntimeApi {
  return async (command) => await new Promise<string>((resolve, reject) => {
    const socket = connect({ path })
    const chunks: Buffer[] = []
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    socket.on('connect', () => socket.end(`${command}\n`))
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    socket.on('error', (err) => reject(new LabError('LAB_COMMAND_FAILED', `haproxy runtime API ${path}: ${command}: ${err.message}`, { cause: err })))
  })
}

/**
 * A client of the socket in Python (in every Debian host's base; no extra
 * package): the command on stdin, the answer on stdout.
 */
export const SOCKET_CLIENT = [
  'import socket, sys',
  's = socket.socket(socket.AF_UNIX)',
  's.settimeout(5)',
  's.connect(sys.argv[1])',
  's.sendall(sys.stdin.buffer.read())',
  's.shutdown(socket.SHUT_WR)',
  'while True:',
  '    b = s.recv(65536)',
  '    if not b: break',
  '    sys.stdout.buffer.write(b)',
].join('\n')

/** A session whose SSH connection is gone (`openSsh` reports it as `PROV_SSH_COMMAND_FAILED`, reason `connection lost`). */
const connectionLost = (err: unknown): boolean => (err as { details?: { reason?: unknown } }).details?.reason === 'connection lost'

/**
 * The runtime API of the edge host's haproxy, over an SSH session to it (`session()` may cache one). When the
 * cached session's connection was lost (a connection reset by the peer, found on the lab), the command is sent
 * once more on a new one: `session({ reopen: true })`. Every command the load balancer sends is idempotent.
 */
export function sshRuntimeApi(session: (o?: { readonly reopen: boolean }) => Promise<SshSession>, socketPath: string): RuntimeApi {
  const send = async (s: SshSession, command: string): Promise<string> =>
    (await s.run(`python3 -c '${SOCKET_CLIENT}' ${socketPath}`, { stdin: `${command}\n` })).stdout
  return async (command) => {
    try {
      return await send(await session(), command)
    } catch (err) {
      if (!connectionLost(err)) throw err
      return await send(await session({ reopen: true }), command)
    }
  }
}
