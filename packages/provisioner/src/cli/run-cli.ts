import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { Listr } from 'listr2'
import { defaultSleep, type AwsClients, type EngineDeps } from '../targets/aws/clients.js'
import { applyStack } from '../targets/aws/engine/apply.js'
import { destroyStack } from '../targets/aws/engine/destroy.js'
import { formatPlan, planStack } from '../targets/aws/engine/plan.js'
import { readSecrets } from '../targets/aws/engine/secrets.js'
import { ProvisionerError, type ProvisionerErrorCode } from '../errors.js'
import { configureHosts } from '../host/configure.js'
import { deployApp } from '../host/deploy.js'
import { promoteDr } from '../host/promote-dr.js'
import { stackStatus } from '../host/status.js'
import { EngineContext } from '../targets/aws/engine/context.js'
import { discoverInto } from '../targets/aws/engine/plan.js'
import { desiredResources } from '../targets/aws/plan/desired.js'
import { dryRunSessions } from '../ssh/dry-run.js'
import type { SshSessionFactory } from '../ssh/session.js'
import { loadStack } from '../stack/load-stack.js'
import type { Stack } from '../stack/schema.js'

/** Exit codes of `birthday-ha-provision`. */
export const EXIT = { ok: 0, failure: 1, usage: 2, credentials: 3, unhealthy: 4 } as const

const USAGE = `usage: birthday-ha-provision <plan|apply|destroy|status|deploy|promote-dr> --stack <file> [options]
  --json              machine-readable output
  --yes               confirm destroy / promote-dr
  --dry-run           apply: print every host command and file (secrets redacted), change nothing on hosts
  --skip-hosts        apply: converge AWS only
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
        stack: { type: 'string' }, json: { type: 'boolean' }, yes: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'skip-hosts': { type: 'boolean' },
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
  const commands = ['plan', 'apply', 'destroy', 'status', 'deploy', 'promote-dr']
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
  const out = (human: string, machine: unknown) => io.stdout(v.json === true ? `${JSON.stringify(machine)}\n` : `${human}\n`)
  const renderer = v.json === true ? 'silent' : io.renderer
  const ssh = async (): Promise<SshSessionFactory> => {
    const ctx = new EngineContext(stack, deps)
    await discoverInto(ctx, desiredResources(stack))
    const bastion = ctx.actual.get('primary/host/bastion')?.facts['publicIp'] as string | undefined
    if (bastion === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', 'the bastion does not exist yet: run apply first')
    const file = v.identity ?? `${io.env['HOME'] ?? '/root'}/.ssh/id_ed25519`
    const privateKey = await readFile(file, 'utf8').catch((err: unknown) => {
      throw new ProvisionerError('PROV_SSH_CONNECT_FAILED', `cannot read the SSH identity ${file}`, { cause: err })
    })
    return io.sessions({ bastion, privateKey, username: v['ssh-user'] ?? 'admin' })
  }
  try {
    switch (command) {
      case 'plan': {
        const plan = await planStack(stack, deps)
        out(formatPlan(plan), plan)
        return EXIT.ok
      }
      case 'apply':
        return await apply(stack, deps, io, v, renderer, ssh, out)
      case 'destroy': {
        const deleted = await destroyStack(stack, { ...deps, onProgress: (e) => v.json === true || io.stderr(`delete ${e.key}\n`) }, { confirm: v.yes === true })
        out(`destroyed ${deleted.length} resources of ${stack.name}`, { deleted })
        return EXIT.ok
      }
      case 'status': {
        const rows = await stackStatus(stack, deps, await ssh())
        out(rows.map((r) => `${r.name.padEnd(6)} ${r.role.padEnd(6)} ${r.ip.padEnd(14)} ${r.patroni ?? r.target}`).join('\n'), rows)
        return EXIT.ok
      }
      case 'deploy': {
        if (v.artifact === undefined || v.release === undefined) {
          io.stderr(`deploy needs --artifact and --release\n${USAGE}\n`)
          return EXIT.usage
        }
        const sessions = await ssh()
        const ctx = new EngineContext(stack, deps)
        await discoverInto(ctx, desiredResources(stack))
        const tg = ctx.actual.get('primary/tg/app')
        if (tg === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', 'the target group does not exist yet: run apply first')
        const apps = [...ctx.actual.values()].filter((a) => a.kind === 'instance' && a.key.startsWith('primary/host/app-')).sort((a, b) => a.key.localeCompare(b.key))
        const done = await deployApp({
          elbv2: io.clients.elbv2(stack.primary.region), targetGroupArn: tg.id, port: stack.app.port, sessions, artifact: v.artifact, version: v.release,
          targets: apps.map((a) => ({ name: a.key.slice('primary/host/'.length), instanceId: a.id, ip: a.facts['privateIp'] as string })),
          sleep,
          onProgress: (e) => v.json === true || io.stderr(`${e.key}: ${e.detail}\n`),
        })
        out(`released ${v.release} on ${done.join(', ')}`, { released: v.release, hosts: done })
        return EXIT.ok
      }
      default: {
        await promoteDr(stack, { sessions: await ssh(), confirm: v.yes === true, sleep })
        out(`DR host promoted: ${stack.dr.region} is now the primary`, { promoted: true })
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
  deps: EngineDeps,
  io: CliIo,
  v: { readonly 'dry-run'?: boolean; readonly 'skip-hosts'?: boolean; readonly json?: boolean },
  renderer: 'default' | 'simple' | 'silent',
  ssh: () => Promise<SshSessionFactory>,
  out: (human: string, machine: unknown) => void,
): Promise<number> {
  const result: { aws?: Awaited<ReturnType<typeof applyStack>>; hosts?: Awaited<ReturnType<typeof configureHosts>> } = {}
  const tasks = new Listr(
    [
      {
        title: `converge AWS (${stack.primary.region} + ${stack.dr.region})`,
        task: async (_ctx, task) => {
          result.aws = await applyStack(stack, { ...deps, onProgress: (e) => void (task.output = [e.event, e.key, e.detail].filter(Boolean).join(' ')) })
        },
      },
      {
        title: v['dry-run'] === true ? 'configure hosts (dry run)' : 'configure hosts',
        skip: () => v['skip-hosts'] === true,
        task: async (_ctx, task) => {
          const secrets = await readSecrets(stack, deps)
          const sessions = v['dry-run'] === true ? dryRunSessions({ secrets: Object.values(secrets), print: (l) => io.stdout(`${l}\n`) }) : await ssh()
          result.hosts = await configureHosts(stack, {
            sessions, secrets, dryRun: v['dry-run'] === true, sleep: deps.sleep!,
            onProgress: (e) => void (task.output = String(e.detail)),
          })
        },
      },
    ],
    { renderer, fallbackRenderer: 'simple', exitOnError: true, rendererOptions: { collapseErrors: false } },
  )
  await tasks.run()
  const aws = result.aws!
  out(`created ${aws.created.length}, updated ${aws.updated.length}, unchanged ${aws.kept.length}, deleted ${aws.deleted.length}${result.hosts === undefined ? '' : `; hosts configured, leader ${result.hosts.leader}, ${result.hosts.written.length} files written`}`, result)
  return EXIT.ok
}
