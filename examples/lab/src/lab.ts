import { mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { Stack } from '@birthday-ha/provisioner'
import { aptProxy } from './apt-proxy/apt-proxy.js'
import { publishFile, type FileSource } from './apt-proxy/files.js'
import { heal, partition } from './faults/partition.js'
import { mountDisk, unmountDisk, wipeDisk, writeIdentity, type DiskPaths } from './hosts/disk.js'
import { hosts as hostsOf, type HostState } from './hosts/host.js'
import { knownHostsLines } from './hosts/identity.js'
import { ensureAtLeast, HOST_LIMITS } from './hosts/limits.js'
import { sshClientConfig } from './hosts/ssh-config.js'
import { ensureSshKey, type LabSshKey } from './hosts/ssh-key.js'
import { ensureImage, type BaseImage } from './image/image.js'
import { TRIXIE, type ImageRecipe } from './image/recipe.js'
import { LabError } from './lab-error.js'
import { DEFAULT_ROOTS, labLayout, validLabId, type LabId, type LabLayout, type LabRoots } from './layout.js'
import { network as networkOf } from './network/network.js'
import { networkPlan, type LabHost, type NetworkPlan } from './network/network-plan.js'
import { execRunner, type Command, type CommandResult, type RunOptions, type Runner } from './runner.js'
import { checkTeardown, waitNoLabProcesses, type TeardownReport } from './teardown/teardown-check.js'
import { removeCgroups } from './cgroups.js'

/** Options of {@link openLab}. */
export interface LabOptions {
  readonly stack: Stack
  /** Default `{ name: 'lab', slot: 0 }`. Two labs at once need different names and slots. */
  readonly id?: LabId
  readonly roots?: LabRoots
  readonly runner?: Runner
  readonly recipe?: ImageRecipe
  /** Extra TCP ports published on the load balancer's public address (the listener port always is). */
  readonly edgePorts?: readonly number[]
  /** One line per step, for humans. */
  readonly log?: (line: string) => void
}

/** A machine of the lab as `machines()` reports it. */
export interface LabMachine {
  readonly name: string
  readonly role: LabHost['role']
  readonly ip: string
  readonly publicIp: string | undefined
  readonly state: HostState | 'missing'
}

/** How the machine that runs the lab reaches its hosts over SSH. */
export interface LabSshAccess extends LabSshKey {
  readonly user: string
  /** A `known_hosts` file with every host's keys (by name, private and public address). */
  readonly knownHostsPath: string
  /** The bastion's public address (port 22): the only SSH way in. */
  readonly bastion: string
  /** An OpenSSH client config: `ssh -F <configPath> db1` (through the bastion). */
  readonly configPath: string
}

/** What {@link Lab.up} did. */
export interface UpReport {
  readonly image: BaseImage
  readonly booted: readonly string[]
  readonly seconds: { readonly network: number; readonly proxy: number; readonly image: number; readonly hosts: number }
}

/** A lab of real hosts; every method is safe to call from a fresh process (state lives in files). */
export interface Lab {
  readonly plan: NetworkPlan
  readonly layout: LabLayout
  /** Install the machine's tools (`scripts/ensure-lab-tools.sh`). */
  ensureTools(): Promise<void>
  /** Build what is missing and boot `hosts` (default all) until systemd runs in each; resumable. */
  up(o?: { readonly hosts?: readonly string[] }): Promise<UpReport>
  /** Stop everything; `keepDisks` keeps the hosts' disks for the next `up`. */
  down(o?: { readonly keepDisks?: boolean }): Promise<void>
  checkTeardown(): Promise<TeardownReport>
  machines(): Promise<LabMachine[]>
  ssh(): Promise<LabSshAccess>
  host(name: string): LabHost
  /** Boot a host from its disk (clearing leftovers first) and wait for systemd. */
  boot(name: string): Promise<void>
  powerOff(name: string): Promise<void>
  freeze(name: string): Promise<void>
  thaw(name: string): Promise<void>
  /** Cut `name` off from `from` (default: every other host), both ways. */
  partition(name: string, from?: readonly string[]): Promise<void>
  /** Remove the partitions of `name` (default: of every host). */
  heal(name?: string): Promise<void>
  /** The DR peering's one-way delay, in ms, each direction. */
  delayDr(ms: number): Promise<void>
  exec(name: string, cmd: Command, o?: RunOptions): Promise<CommandResult>
  /**
   * Serve a file to the hosts (they reach nothing but the apt proxy):
   * returns its URL, `http://198.18.<slot>.1:3142/files/<name>`.
   */
  publishFile(src: FileSource): Promise<string>
  memoryBytes(name: string): Promise<number>
}

const TOOLS = fileURLToPath(new URL('../scripts/ensure-lab-tools.sh', import.meta.url))
const secondsSince = (t: number): number => Math.round((performance.now() - t) / 100) / 10

/**
 * Open the lab of `stack`: nothing runs until {@link Lab.up}.
 *
 * @example
 * ```ts
 * const lab = openLab({ stack })
 * await lab.up()
 * await lab.powerOff('db1'); await lab.boot('db1')
 * await lab.down()
 * ```
 */
export function openLab(o: LabOptions): Lab {
  const id = o.id ?? { name: 'lab', slot: 0 }
  if (!validLabId(id)) throw new LabError('LAB_INVALID_OPTIONS', `invalid lab id ${JSON.stringify(id)}`)
  const roots = o.roots ?? DEFAULT_ROOTS
  const runner = o.runner ?? execRunner()
  const recipe = o.recipe ?? TRIXIE
  const log = o.log ?? (() => {})
  const layout = labLayout(id, roots)
  const plan = networkPlan(o.stack, id, { roots, ...(o.edgePorts === undefined ? {} : { edgePorts: o.edgePorts }) })
  const net = networkOf(plan, layout, runner)
  const proxy = aptProxy(layout, plan.aptProxy.ip, plan.aptProxy.port)
  const hosts = hostsOf(layout, runner)
  const byName = new Map(plan.hosts.map((h) => [h.name, h]))
  const host = (name: string): LabHost => {
    const h = byName.get(name)
    if (h === undefined) throw new LabError('LAB_UNKNOWN_HOST', `no host ${name} in the lab`, { details: { host: name, known: [...byName.keys()] } })
    return h
  }
  const backupRepo = `${layout.stateDir}/backup-repo`
  const binds = (h: LabHost) => (h.role === 'db' || h.role === 'dr-db' ? [{ source: backupRepo, target: '/var/lib/pgbackrest-repo' }] : [])
  let image: BaseImage | undefined
  const disk = (h: LabHost, lower: string): DiskPaths => ({ dir: layout.hostDir(h.name), lower })

  const prepareAndBoot = async (h: LabHost, key: LabSshKey, img: BaseImage, boot = true): Promise<string[]> => {
    const d = disk(h, img.rootfs)
    await mountDisk(runner, d)
    const keys = await writeIdentity(runner, layout.hostRoot(h.name), {
      host: h, hosts: plan.hosts, proxyUrl: proxy.url, authorizedKey: key.publicKey, user: recipe.user,
    })
    if (boot) {
      await hosts.boot(h.name, { root: layout.hostRoot(h.name), ns: h.ns, binds: binds(h) })
      await hosts.waitRunning(h.name)
    }
    const pub = plan.published.find((p) => p.host === h.name)?.publicIp
    return knownHostsLines([h.name, h.ip, ...(pub === undefined ? [] : [pub])], keys)
  }
  const ensureImageNow = async (): Promise<BaseImage> => {
    image ??= await ensureImage({ imagesDir: layout.imagesDir, recipe, proxyUrl: proxy.url, runner, log })
    return image
  }

  const lab: Lab = {
    plan,
    layout,
    async ensureTools() {
      await runner.run(['sh', TOOLS])
    },
    async up(u = {}) {
      const names = u.hosts ?? plan.hosts.map((h) => h.name)
      for (const l of HOST_LIMITS) await ensureAtLeast(l.path, l.min)
      let t = performance.now()
      log(`network: ${plan.primary.ns}, ${plan.dr.ns}, ${plan.peeringNs}`)
      await net.ensure()
      const network = secondsSince(t)
      t = performance.now()
      await proxy.ensure()
      const proxySeconds = secondsSince(t)
      t = performance.now()
      const img = await ensureImageNow()
      const imageSeconds = secondsSince(t)
      t = performance.now()
      await mkdir(backupRepo, { recursive: true })
      const key = await ensureSshKey(runner, layout.sshDir, `birthday-ha-lab-${id.name}`)
      const booted: string[] = []
      const lines = await Promise.all(
        names.map(async (n) => {
          const h = host(n)
          const running = (await hosts.state(n)) !== 'stopped'
          if (!running) {
            booted.push(n)
            log(`boot ${n} (${h.ip})`)
          }
          return prepareAndBoot(h, key, img, !running)
        }),
      )
      await writeFile(`${layout.sshDir}/known_hosts`, lines.flat().join('\n') + '\n')
      await writeFile(
        `${layout.sshDir}/config`,
        sshClientConfig(plan, { user: recipe.user, identityFile: key.privateKeyPath, knownHosts: `${layout.sshDir}/known_hosts` }),
      )
      return { image: img, booted, seconds: { network, proxy: proxySeconds, image: imageSeconds, hosts: secondsSince(t) } }
    },
    async down(d = {}) {
      for (const h of plan.hosts) {
        await hosts.powerOff(h.name)
        const dd = disk(h, '')
        await unmountDisk(runner, dd)
        if (d.keepDisks !== true) await wipeDisk(dd)
      }
      await proxy.stop()
      await net.destroy()
      await waitNoLabProcesses(layout)
      await removeCgroups(layout.cgroupRoots)
      await rm(layout.runDir, { recursive: true, force: true })
      if (d.keepDisks !== true) await rm(backupRepo, { recursive: true, force: true })
    },
    checkTeardown: () => checkTeardown(plan, layout, runner),
    async machines() {
      return Promise.all(
        plan.hosts.map(async (h) => ({
          name: h.name,
          role: h.role,
          ip: h.ip,
          publicIp: plan.published.find((p) => p.host === h.name)?.publicIp,
          state: (await hosts.state(h.name)) === 'stopped' && !(await hasDisk(h)) ? ('missing' as const) : await hosts.state(h.name),
        })),
      )
    },
    async ssh() {
      const key = await ensureSshKey(runner, layout.sshDir, `birthday-ha-lab-${id.name}`)
      const bastion = plan.published.find((p) => p.host === 'bastion')?.publicIp as string
      return { ...key, user: recipe.user, knownHostsPath: `${layout.sshDir}/known_hosts`, configPath: `${layout.sshDir}/config`, bastion }
    },
    host,
    async boot(name) {
      const h = host(name)
      const key = await ensureSshKey(runner, layout.sshDir, `birthday-ha-lab-${id.name}`)
      await prepareAndBoot(h, key, await ensureImageNow())
    },
    powerOff: (name) => hosts.powerOff(host(name).name),
    freeze: (name) => hosts.freeze(host(name).name),
    thaw: (name) => hosts.thaw(host(name).name),
    async partition(name, from) {
      const h = host(name)
      const peers = (from ?? plan.hosts.filter((x) => x.name !== name).map((x) => x.name)).map(host)
      await partition(runner, h, peers)
    },
    async heal(name) {
      for (const h of name === undefined ? plan.hosts : [host(name)]) await heal(runner, h)
    },
    delayDr: (ms) => net.setDelay(ms),
    exec: (name, cmd, x) => hosts.exec(host(name).name, cmd, x),
    memoryBytes: (name) => hosts.memoryBytes(host(name).name),
    publishFile: async (src) => `${proxy.url}/files/${await publishFile(layout.filesDir, src)}`,
  }
  return lab

  async function hasDisk(h: LabHost): Promise<boolean> {
    return stat(`${layout.hostDir(h.name)}/upper`).then(() => true, () => false)
  }
}
