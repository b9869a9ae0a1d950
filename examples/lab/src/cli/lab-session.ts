/* c8 ignore start */ // real hosts: exercised by `npm run lab` and `npm run test:lab`, not by unit tests
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import {
  configureHosts, deployApp, failBack, loadStack, rebuildPrimary, type ConfigureReport, type FailBackReport, type HostEnvironment, type RebuildPrimaryReport,
  type SshSessionFactory, type Stack,
} from '@birthday-ha/provisioner'
import { dbInstallScript, PATRONI_TIMING_PROFILES } from '@birthday-ha/provisioner/render'
import { buildArtifact, type Artifact } from '../artifact/build-artifact.js'
import { bakedRecipe, TRIXIE, type ImageRecipe } from '../image/recipe.js'
import { openLab } from '../lab.js'
import type { LabId } from '../layout.js'
import { LAB_NODE, labStackInput } from '../target/lab-stack.js'
import { labTarget, type LabTarget } from '../target/lab-target.js'

const REPO = fileURLToPath(new URL('../../../../', import.meta.url))

/** What the lab decides about its hosts: the fastest Patroni 4 timing, backups on a directory every DB host mounts. */
const LAB_HOSTS: HostEnvironment = { timing: PATRONI_TIMING_PROFILES.lab, backupRepository: { type: 'posix', path: '/var/lib/pgbackrest-repo' } }

/** One lab, its stack and its target, opened from this process. */
export interface LabSession extends AsyncDisposable {
  readonly stack: Stack
  readonly target: LabTarget
  sessions(): Promise<SshSessionFactory>
  /** Publish the Node.js tarball to the hosts (downloaded once, checked by SHA-256). */
  publishNode(): Promise<void>
  /** The provisioner's host configuration with the lab's settings. */
  configure(): Promise<ConfigureReport>
  /** The way back after promote-dr, part 1: the primary region rebuilt as a standby cluster of the DR host. */
  rebuildPrimary(): Promise<RebuildPrimaryReport>
  /** The way back, part 2: the roles switched back, the DR host a standby again. */
  failBack(): Promise<FailBackReport>
  /** Build the working tree's artifact (reproducible: an unchanged tree gives the same version). */
  artifact(): Promise<Artifact>
  /** The release each app host runs (`/opt/birthday/current`), by host. */
  releases(): Promise<Map<string, string>>
  deploy(a: Artifact): Promise<readonly string[]>
  close(): Promise<void>
}

/** The lab of this machine: `LAB_NAME`/`LAB_SLOT` choose another (default `lab`, slot 0). */
export function labIdFromEnv(env: NodeJS.ProcessEnv = process.env): LabId {
  return { name: env['LAB_NAME'] ?? 'lab', slot: Number(env['LAB_SLOT'] ?? 0) }
}

/**
 * The hosts' image. `baked` (the default) has what host configuration installs already in it, as a
 * Packer-built AMI would: the DB packages (the provisioner's own install script, run at build time) and
 * xz-utils for the app hosts' Node.js tarball; configuration then skips apt. `plain` is Debian with sshd
 * only, so configuration installs everything, as on a fresh AWS host: `npm run test:lab` uses it.
 */
export type LabImage = 'baked' | 'plain'

function imageRecipe(image: LabImage, stack: Stack): ImageRecipe {
  if (image === 'plain') return TRIXIE
  return bakedRecipe(TRIXIE, [dbInstallScript(stack, { primaryEndpoint: true }), 'apt-get install -y -qq --no-install-recommends xz-utils'].join('\n'))
}

export async function openLabSession(o: { readonly id: LabId; readonly log: (line: string) => void; readonly image?: LabImage }): Promise<LabSession> {
  const nodeUrl = `http://198.18.${o.id.slot}.1:3142/files/${LAB_NODE.file}`
  const loaded = await loadStack({ value: labStackInput(nodeUrl) })
  if (!loaded.ok) throw new Error(`the lab stack is invalid: ${JSON.stringify(loaded)}`)
  const stack = loaded.stack
  const lab = openLab({ stack, id: o.id, log: o.log, recipe: imageRecipe(o.image ?? 'baked', stack) })
  const target = labTarget({ lab, log: o.log })
  let factory: SshSessionFactory | undefined
  const sessions = async (): Promise<SshSessionFactory> => {
    if (factory !== undefined) return factory
    const access = await lab.ssh()
    factory = await target.sessions({ privateKey: await readFile(access.privateKeyPath, 'utf8'), username: access.user })
    return factory
  }
  const progress = (e: { event: string; key?: string; detail?: string }) => o.log(`  ${e.event}${e.key === undefined ? '' : ` ${e.key}`}${e.detail === undefined ? '' : `: ${e.detail}`}`)
  const session: LabSession = {
    stack,
    target,
    sessions,
    async publishNode() {
      const url = await lab.publishFile({ url: LAB_NODE.url, sha256: LAB_NODE.sha256 })
      if (url !== nodeUrl) throw new Error(`the Node.js tarball is served at ${url}, not ${nodeUrl}`)
    },
    async configure() {
      return await configureHosts(stack, {
        sessions: await sessions(),
        secrets: await target.secrets.ensure(stack),
        loadBalancer: target.loadBalancer,
        ...LAB_HOSTS,
        pollIntervalMs: 1_000,
        pollAttempts: 180,
        onProgress: progress,
      })
    },
    async rebuildPrimary() {
      return await rebuildPrimary(stack, { sessions: await sessions(), secrets: await target.secrets.read(stack), confirm: true, ...LAB_HOSTS, pollIntervalMs: 1_000, pollAttempts: 300 })
    },
    async failBack() {
      return await failBack(stack, { sessions: await sessions(), loadBalancer: target.loadBalancer, secrets: await target.secrets.read(stack), confirm: true, ...LAB_HOSTS, pollIntervalMs: 500, pollAttempts: 240 })
    },
    artifact: async () => await buildArtifact({ serviceDir: `${REPO}examples/hello-service`, outDir: `${REPO}dist/artifacts` }),
    async releases() {
      const f = await sessions()
      const out = new Map<string, string>()
      for (const h of lab.plan.hosts.filter((x) => x.role === 'app')) {
        const s = await f({ host: h.ip, name: h.name })
        try {
          out.set(h.name, (await s.run('readlink /opt/birthday/current || true')).stdout.trim())
        } finally {
          await s.close()
        }
      }
      return out
    },
    async deploy(a) {
      return await deployApp(stack, { sessions: await sessions(), loadBalancer: target.loadBalancer, artifact: a.file, version: a.version, pollIntervalMs: 500, pollAttempts: 120, onProgress: progress })
    },
    close: () => target.close(),
    [Symbol.asyncDispose]: () => target.close(),
  }
  return session
}
/* c8 ignore stop */
