import { createHash } from 'node:crypto'
import { NodeSSH } from 'node-ssh'
import { ProvisionerError } from '../errors.js'
import { shellQuote } from './shell-quote.js'

/** Result of a remote command that exited 0. */
export interface RunResult {
  readonly stdout: string
  readonly stderr: string
}

/** Ownership and mode of a remote file. */
export interface FileOptions {
  /** Octal mode, e.g. `0o600` (the default: files may hold secrets). */
  readonly mode?: number
  /** `user:group`, e.g. `postgres:postgres` (default `root:root`). */
  readonly owner?: string
}

/** One SSH session to one host. Injected everywhere; tests use a real sshd or a recording fake. */
export interface SshSession extends AsyncDisposable {
  readonly host: string
  /** Run a shell command; a non-zero exit throws `PROV_SSH_COMMAND_FAILED` with stderr. */
  run(command: string, options?: { readonly stdin?: string }): Promise<RunResult>
  /**
   * Write a file atomically only when its content, mode or owner differ
   * (sha256 compared remotely). Returns `true` when it was (re)written.
   * The content travels on stdin, never on a command line.
   */
  writeFile(path: string, content: string, options?: FileOptions): Promise<boolean>
  /** Copy a local file (e.g. a release tarball) with SFTP. */
  uploadFile(localPath: string, remotePath: string): Promise<void>
  close(): Promise<void>
}

/** Where and how to reach a host. */
export interface SshTarget {
  readonly host: string
  readonly port?: number
  readonly username: string
  readonly privateKey: string
  /** Prefix commands with `sudo -n` (Debian AMIs log in as `admin`). */
  readonly sudo?: boolean
  /** Reach the host through this jump host (ProxyJump semantics). */
  readonly jump?: Omit<SshTarget, 'jump' | 'sudo'>
  readonly readyTimeoutMs?: number
}

/** Opens sessions; `configureHosts` and `deployApp` take one of these. */
export type SshSessionFactory = (target: { readonly host: string; readonly name: string }) => Promise<SshSession>

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex')

async function connect(t: Omit<SshTarget, 'jump' | 'sudo'>, sock?: NodeJS.ReadableStream): Promise<NodeSSH> {
  const ssh = new NodeSSH()
  try {
    await ssh.connect({
      host: t.host,
      port: t.port ?? 22,
      username: t.username,
      privateKey: t.privateKey,
      readyTimeout: t.readyTimeoutMs ?? 20_000,
      ...(sock === undefined ? {} : { sock: sock as never }),
    })
    return ssh
  } catch (err) {
    ssh.dispose()
    throw new ProvisionerError('PROV_SSH_CONNECT_FAILED', `cannot SSH to ${t.username}@${t.host}:${t.port ?? 22}: ${(err as Error).message}`, {
      cause: err,
      details: { host: t.host },
    })
  }
}

/**
 * Open an SSH session with node-ssh, optionally through a jump host:
 * connect to the bastion, `forwardOut` to the target, pass the stream as `sock`.
 *
 * @example
 * ```ts
 * await using s = await openSsh({ host: '10.10.10.10', username: 'admin', privateKey, sudo: true,
 *   jump: { host: bastionIp, username: 'admin', privateKey } })
 * await s.writeFile('/etc/patroni/patroni.yml', yml, { mode: 0o600, owner: 'postgres:postgres' })
 * ```
 */
export async function openSsh(target: SshTarget): Promise<SshSession> {
  let jump: NodeSSH | undefined
  let sock: NodeJS.ReadableStream | undefined
  if (target.jump !== undefined) {
    jump = await connect(target.jump)
    try {
      sock = await jump.forwardOut('127.0.0.1', 0, target.host, target.port ?? 22)
    } catch (err) {
      jump.dispose()
      throw new ProvisionerError('PROV_SSH_CONNECT_FAILED', `jump host ${target.jump.host} cannot reach ${target.host}: ${(err as Error).message}`, {
        cause: err,
        details: { host: target.host, jump: target.jump.host },
      })
    }
  }
  let ssh: NodeSSH
  try {
    ssh = await connect(target, sock)
  } catch (err) {
    jump?.dispose()
    throw err
  }
  return new NodeSshSession(target.host, ssh, jump, target.sudo === true)
}

/**
 * Watch a connection for the session's whole life: ssh2 emits 'error' (e.g. `read ECONNRESET` from a peer that
 * reset an idle connection) with no listener once node-ssh's connect resolved, and an unhandled 'error' event
 * kills the process. Records why the connection is gone instead.
 */
function watch(ssh: NodeSSH, name: string, lost: (why: string, cause?: unknown) => void): void {
  const c = ssh.connection!
  c.on('error', (err: Error) => lost(`${name} connection lost: ${err.message}`, err))
  c.on('close', () => lost(`${name} connection closed`))
}

class NodeSshSession implements SshSession {
  readonly host: string
  readonly #ssh: NodeSSH
  readonly #jump: NodeSSH | undefined
  readonly #sudo: boolean
  #closed = false
  #lost: { readonly why: string; readonly cause?: unknown } | undefined

  constructor(host: string, ssh: NodeSSH, jump: NodeSSH | undefined, sudo: boolean) {
    this.host = host
    this.#ssh = ssh
    this.#jump = jump
    this.#sudo = sudo
    const lost = (why: string, cause?: unknown): void => void (this.#lost ??= { why, cause })
    watch(ssh, 'SSH', lost)
    if (jump !== undefined) watch(jump, 'jump host', lost)
  }

  #connectionLost(command: string, err?: unknown): ProvisionerError {
    const why = this.#lost?.why ?? `SSH connection failed: ${(err as Error).message}`
    return new ProvisionerError('PROV_SSH_COMMAND_FAILED', `${this.host}: ${why}`, {
      cause: this.#lost?.cause ?? err,
      details: { host: this.host, command: command.slice(0, 200), exitCode: -1, stderr: '', stdout: '', reason: 'connection lost' },
    })
  }

  async run(command: string, options: { readonly stdin?: string } = {}): Promise<RunResult> {
    if (this.#lost !== undefined) throw this.#connectionLost(command)
    const full = this.#sudo ? `sudo -n sh -c ${shellQuote(command)}` : command
    let r: Awaited<ReturnType<NodeSSH['execCommand']>>
    try {
      r = await this.#ssh.execCommand(full, options.stdin === undefined ? {} : { stdin: options.stdin })
    } catch (err) {
      throw this.#connectionLost(command, err)
    }
    // A connection lost mid-command closes its channel without an exit status.
    if (r.code !== 0 && this.#lost !== undefined) throw this.#connectionLost(command)
    if (r.code !== 0) {
      // Some tools report errors on stdout (pgBackRest's console log): then that is the message.
      const why = (r.stderr.trim() === '' ? r.stdout : r.stderr).trim()
      throw new ProvisionerError('PROV_SSH_COMMAND_FAILED', `${this.host}: command exited ${r.code ?? r.signal}: ${why.slice(-500)}`, {
        details: { host: this.host, command: command.slice(0, 200), exitCode: r.code ?? -1, stderr: r.stderr.slice(-2000), stdout: r.stdout.slice(-2000) },
      })
    }
    return { stdout: r.stdout, stderr: r.stderr }
  }

  async writeFile(path: string, content: string, options: FileOptions = {}): Promise<boolean> {
    const mode = (options.mode ?? 0o600).toString(8)
    const owner = options.owner ?? 'root:root'
    const p = shellQuote(path)
    const probe = await this.run(`if [ -f ${p} ]; then sha256sum ${p} | cut -d' ' -f1; stat -c '%a %U:%G' ${p}; fi`)
    // node-ssh trims stdout.
    if (probe.stdout === `${sha256(content)}\n${mode} ${owner}`) return false
    const tmp = shellQuote(`${path}.tmp-${process.pid}`)
    await this.run(
      `set -e; umask 077; mkdir -p "$(dirname ${p})"; cat > ${tmp}; chmod ${mode} ${tmp}; chown ${shellQuote(owner)} ${tmp}; mv -f ${tmp} ${p}`,
      { stdin: content },
    )
    return true
  }

  async uploadFile(localPath: string, remotePath: string): Promise<void> {
    try {
      await this.#ssh.putFile(localPath, remotePath)
    } catch (err) {
      throw new ProvisionerError('PROV_SSH_COMMAND_FAILED', `${this.host}: upload of ${localPath} failed: ${(err as Error).message}`, {
        cause: err,
        details: { host: this.host, file: remotePath },
      })
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#ssh.dispose()
    this.#jump?.dispose()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }
}
