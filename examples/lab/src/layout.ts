/**
 * Where a lab keeps its things on the machine. A lab is identified by a short
 * name (it prefixes namespaces, cgroups and the root-side interface, which
 * Linux limits to 15 characters) and a slot (its /24 of the lab range).
 */
export interface LabId {
  /** 1-11 characters of a-z and 0-9, starting with a letter. */
  readonly name: string
  /** 0-255: the lab owns `198.18.<slot>.0/24`. */
  readonly slot: number
}

/** The machine's directories the lab writes under (overridable for tests). */
export interface LabRoots {
  /** Runtime state: PID files, console logs (gone at reboot, like the hosts' processes). */
  readonly run: string
  /** Hosts' disks and the lab's SSH key. */
  readonly state: string
  /** Base images and the apt cache, shared between runs. */
  readonly cache: string
  /** The cgroup mount (hybrid: v1 controllers, `unified/` = cgroup2, `systemd/` = name=systemd). */
  readonly cgroup: string
}

/** The machine's standard places. */
export const DEFAULT_ROOTS: LabRoots = {
  run: '/run/birthday-ha-lab',
  state: '/var/lib/birthday-ha-lab',
  cache: '/var/cache/birthday-ha-lab',
  cgroup: '/sys/fs/cgroup',
}

/** The three cgroup directories of one lab process (host or daemon). */
export interface CgroupPaths {
  /** cgroup2: `cgroup.kill`, `cgroup.freeze`, `cgroup.events`. */
  readonly unified: string
  /** name=systemd v1 hierarchy (nspawn in hybrid mode reads it). */
  readonly systemd: string
  /** v1 memory controller: RAM per host. */
  readonly memory: string
}

/** Every path and name of one lab; pure. */
export interface LabLayout {
  readonly id: LabId
  readonly runDir: string
  readonly stateDir: string
  readonly imagesDir: string
  readonly aptCacheDir: string
  /** Files served to the hosts under `/files/` of the apt proxy (shared by all labs). */
  readonly filesDir: string
  readonly sshDir: string
  hostDir(host: string): string
  hostRoot(host: string): string
  hostPidFile(host: string): string
  hostConsole(host: string): string
  hostNs(host: string): string
  cgroups(unit: string): CgroupPaths
  /** The lab's cgroup directories (parents of every unit's). */
  readonly cgroupRoots: CgroupPaths
  readonly nsPrefix: string
}

const NAME = /^[a-z][a-z0-9]{0,10}$/

/** Whether `id` is a valid lab identity. */
export function validLabId(id: LabId): boolean {
  return NAME.test(id.name) && Number.isInteger(id.slot) && id.slot >= 0 && id.slot <= 255
}

/** The layout of the lab `id`. */
export function labLayout(id: LabId, roots: LabRoots = DEFAULT_ROOTS): LabLayout {
  const runDir = `${roots.run}/${id.name}`
  const stateDir = `${roots.state}/${id.name}`
  const nsPrefix = `bhl-${id.name}-`
  const cg = (sub: string): CgroupPaths => ({
    unified: `${roots.cgroup}/unified/birthday-ha-lab/${id.name}${sub}`,
    systemd: `${roots.cgroup}/systemd/birthday-ha-lab/${id.name}${sub}`,
    memory: `${roots.cgroup}/memory/birthday-ha-lab/${id.name}${sub}`,
  })
  return {
    id,
    runDir,
    stateDir,
    imagesDir: `${roots.cache}/images`,
    aptCacheDir: `${roots.cache}/apt-cacher-ng/${id.name}`,
    filesDir: `${roots.cache}/files`,
    sshDir: `${stateDir}/ssh`,
    hostDir: (h) => `${stateDir}/hosts/${h}`,
    hostRoot: (h) => `${stateDir}/hosts/${h}/root`,
    hostPidFile: (h) => `${runDir}/${h}.pid`,
    hostConsole: (h) => `${runDir}/${h}.console`,
    hostNs: (h) => `${nsPrefix}${h}`,
    cgroups: (unit) => cg(`/${unit}`),
    cgroupRoots: cg(''),
    nsPrefix,
  }
}
