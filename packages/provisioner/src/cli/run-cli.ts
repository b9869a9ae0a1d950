import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { Listr } from 'listr2'
import { defaultSleep, type AwsClients, type EngineDeps } from '../targets/aws/clients.js'
import { formatPlan } from '../targets/aws/engine/plan.js'
import { ProvisionerError, type ProvisionerErrorCode } from '../errors.js'
import { configureHosts, type ConfigureReport } from '../host/configure.js'
import { deployApp } from '../host/deploy.js'
import { failBack } from '../host/fail-back.js'
import { promoteDr } from '../host/promote-dr.js'
import { rebuildPrimary } from '../host/rebuild-primary.js'
import { formatStatus, stackStatus } from '../host/status.js'
import { dryRunSessions } from '../ssh/dry-run.js'
import type { SshSessionFactory } from '../ssh/session.js'
import { loadStack } from '../stack/load-stack.js'
import type { Stack } from '../stack/schema.js'
import type { Target } from '../target.js'
import type { ApplyReport } from '../targets/aws/engine/apply.js'
import { cliAwsTarget } from './aws-host-parts.js'

/** Exit codes of `birthday-ha-provision`. */
export const EXIT = { ok: 0, failure: 1, usage: 2, credentials: 3, unhealthy: 4 } as const

const USAGE = `usage: birthday-ha-provision <plan|apply|destroy|status|deploy|promote-dr|rebuild-primary|fail-back> --stack <file> [options]
  --json              machine-readable output
  --yes               confirm destroy / promote-dr / rebuild-primary / fail-back
  --dry-run           apply: print every host command and file (secrets redacted), change nothing on hosts
  --skip-hosts        apply: converge AWS only
  --replace           apply: replace what cannot change in place (instance type, volume size, Debian release)
  --identity <file>   SSH private key (default ~/.ssh/id_ed25519)
  --ssh-user <name>   SSH user on the hosts (default admin, Debian AMIs)
  --artifact <file>   deploy: the service tarball; --release <name>: its release name`

/** What the CLI needs from the outside; `main` passes real ones, tests pass fakes. */
export interface CliIo {
  readonly clients: AwsClients
  /** Build the SSH factory once the bastion's address is known. */
  readonly sessions: (o: { readonly bastion: string; readonly privateKey: string; readonly username: string }) => SshSessionFactory
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly sleep?: (ms: number) => Promise<void>
  readonly renderer: 'default' | 'simple' | 'silent'
  readonly env: Readonly<Record<string, string | undefined>>
}

function exitCodeOf(code: ProvisionerErrorCode): number {
  if (code === 'PROV_INVALID_STACK' || code === 'PROV_NOT_CONFIRMED') return EXIT.usage
  if (code === 'PROV_NO_CREDENTIALS' || code === 'PROV_NO_REGION') return EXIT.credentials
  if (code === 'PROV_HOST_UNHEALTHY' || code === 'PROV_NO_LEADER') return EXIT.unhealthy
  return EXIT.failure
}

/**
 * Run the CLI with injected I/O; returns the exit code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        stack: { type: 'string' }, json: { type: 'boolean' }, yes: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'skip-hosts': { type: 'boolean' }, replace: { type: 'boolean' },
        identity: { type: 'string' }, 'ssh-user': { type: 'string' }, artifact: { type: 'string' }, release: { type: 'string' }, help: { type: 'boolean' }, version: { type: 'boolean' },
      },
    })
  } catch (err) {
    io.stderr(`${(err as Error).message}\n${USAGE}\n`)
    return EXIT.usage
  }
  const { values: v, positionals } = parsed
  const command = positionals[0]
  if (v.help === true) {
    io.stdout(`${USAGE}\n`)
    return EXIT.ok
  }
  if (v.version === true) {
    io.stdout(`${(JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`)
    return EXIT.ok
  }
  const commands = ['plan', 'apply', 'destroy', 'status', 'deploy', 'promote-dr', 'rebuild-primary', 'fail-back']
  if (command === undefined || !commands.includes(command) || v.stack === undefined) {
    const wrong = command === undefined ? 'missing command' : commands.includes(command) ? 'missing --stack <file>' : `unknown command ${JSON.stringify(command)}`
    io.stderr(`${wrong}\n${USAGE}\n`)
    return EXIT.usage
  }
  const loaded = await loadStack({ file: v.stack })
  if (!loaded.ok) {
    if (v.json === true) io.stdout(`${JSON.stringify({ error: 'PROV_INVALID_STACK', issues: loaded.issues })}\n`)
    else io.stderr(`invalid stack file ${v.stack}:\n${loaded.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}\n`)
    return EXIT.usage
  }
  const stack = loaded.stack
  const sleep = io.sleep ?? defaultSleep
  const deps: EngineDeps = { clients: io.clients, sleep }
  const target = cliAwsTarget(stack, deps, io.sessions)
  const out = (human: string, machine: unknown) => io.stdout(v.json === true ? `${JSON.stringify(machine)}\n` : `${human}\n`)
  const renderer = v.json === true ? 'silent' : io.renderer
  const ssh = async (): Promise<SshSessionFactory> => {
    const file = v.identity ?? `${io.env['HOME'] ?? '/root'}/.ssh/id_ed25519`
    const privateKey = await readFile(file, 'utf8').catch((err: unknown) => {
      throw new ProvisionerError('PROV_SSH_CONNECT_FAILED', `cannot read the SSH identity ${file}`, { cause: err })
    })
    return target.sessions({ privateKey, username: v['ssh-user'] ?? 'admin' })
  }
  const progress = (key: string | undefined, detail: string | undefined) => v.json === true || io.stderr(`${[key, detail].filter(Boolean).join(': ')}\n`)
  try {
    switch (command) {
      case 'plan': {
        const plan = await target.infrastructure.plan(stack)
        out(formatPlan(plan), plan)
        return EXIT.ok
      }
      case 'apply':
        return await apply(stack, target, io, { ...v, sleep }, renderer, ssh, out)
      case 'destroy': {
        const destroyer = cliAwsTarget(stack, { ...deps, onProgress: (e) => progress('delete', e.key) }, io.sessions)
        const deleted = await destroyer.infrastructure.destroy(stack, { confirm: v.yes === true })
        out(`destroyed ${deleted.length} resources of ${stack.name}`, { deleted })
        return EXIT.ok
      }
      case 'status': {
        const st = await stackStatus(stack, { sessions: await ssh(), loadBalancer: target.loadBalancer })
        out(formatStatus(st), st)
        return st.healthy ? EXIT.ok : EXIT.unhealthy
      }
      case 'deploy': {
        if (v.artifact === undefined || v.release === undefined) {
          io.stderr(`deploy needs --artifact and --release\n${USAGE}\n`)
          return EXIT.usage
        }
        const done = await deployApp(stack, {
          sessions: await ssh(), loadBalancer: target.loadBalancer, artifact: v.artifact, version: v.release, sleep,
          onProgress: (e) => progress(e.key, e.detail),
        })
        out(`released ${v.release} on ${done.join(', ')}`, { released: v.release, hosts: done })
        return EXIT.ok
      }
      case 'rebuild-primary': {
        const r = await rebuildPrimary(stack, { sessions: await ssh(), secrets: await target.secrets.read(stack), confirm: v.yes === true, sleep })
        const unfenced = r.wasPrimary.length === 0 ? '' : `; ${r.wasPrimary.join(', ')} still ran as a primary when stopped: the fence had not held`
        out(`${r.rebuilt.join(', ')} rebuilt as a standby cluster of ${stack.dr.region}, standby leader ${r.standbyLeader}${unfenced}; next: fail-back`, r)
        return EXIT.ok
      }
      case 'fail-back': {
        const r = await failBack(stack, { sessions: await ssh(), loadBalancer: target.loadBalancer, secrets: await target.secrets.read(stack), confirm: v.yes === true, sleep })
        out(`${stack.primary.region} is the primary again, leader ${r.leader} (no writer for ${(r.noWriterMs / 1000).toFixed(1)} s, handed over at ${r.handoverLsn}); the DR host is its standby; app hosts repointed: ${r.repointed.join(', ')}`, r)
        return EXIT.ok
      }
      default: {
        if (v.yes !== true) throw new ProvisionerError('PROV_NOT_CONFIRMED', 'promote-dr needs --yes after the old primary is fenced (see README)')
        const r = await promoteDr(stack, { sessions: await ssh(), loadBalancer: target.loadBalancer, secrets: await target.secrets.read(stack), confirm: true, sleep })
        out(`DR host ${r.promoted} promoted: ${stack.dr.region} is now the primary; app hosts repointed: ${r.repointed.join(', ') || 'none'}`, r)
        return EXIT.ok
      }
    }
  } catch (err) {
    if (!(err instanceof ProvisionerError)) throw err
    if (v.json === true) io.stdout(`${JSON.stringify({ error: err.code, message: err.message, details: err.details })}\n`)
    else io.stderr(`${err.code}: ${err.message}\n`)
    return exitCodeOf(err.code)
  }
}

async function apply(
  stack: Stack,
  target: Target,
  io: CliIo,
  v: { readonly 'dry-run'?: boolean; readonly 'skip-hosts'?: boolean; readonly replace?: boolean; readonly json?: boolean; readonly sleep: (ms: number) => Promise<void> },
  renderer: 'default' | 'simple' | 'silent',
  ssh: () => Promise<SshSessionFactory>,
  out: (human: string, machine: unknown) => void,
): Promise<number> {
  const result: { aws?: ApplyReport; hosts?: ConfigureReport } = {}
  const tasks = new Listr(
    [
      {
        title: `converge AWS (${stack.primary.region} + ${stack.dr.region})`,
        task: async (_ctx, task) => {
          result.aws = await target.infrastructure.apply(stack, { allowReplace: v.replace === true, onProgress: (e) => void (task.output = [e.event, e.key, e.detail].filter(Boolean).join(' ')) })
        },
      },
      {
        title: v['dry-run'] === true ? 'configure hosts (dry run)' : 'configure hosts',
        skip: () => v['skip-hosts'] === true,
        task: async (_ctx, task) => {
          const secrets = await target.secrets.ensure(stack)
          const sessions = v['dry-run'] === true ? dryRunSessions({ secrets: Object.values(secrets), print: (l) => io.stdout(`${l}\n`) }) : await ssh()
          result.hosts = await configureHosts(stack, {
            sessions, secrets, loadBalancer: target.loadBalancer, dryRun: v['dry-run'] === true, sleep: v.sleep,
            onProgress: (e) => void (task.output = String(e.detail)),
          })
        },
      },
    ],
    { renderer, fallbackRenderer: 'simple', exitOnError: true, rendererOptions: { collapseErrors: false } },
  )
  await tasks.run()
  const aws = result.aws!
  const h = result.hosts
  out(`created ${aws.created.length}, updated ${aws.updated.length}, unchanged ${aws.kept.length}, deleted ${aws.deleted.length}${h === undefined ? '' : `; hosts configured, leader ${h.leader}: ${h.written.length} files written, ${h.started.length} units started, ${h.restarted.length} units restarted`}`, result)
  return EXIT.ok
}
