import { createHash } from 'node:crypto'

/** What a base image is made of. Its hash names the cached image: change anything and a new one is built. */
export interface ImageRecipe {
  readonly suite: string
  readonly mirror: string
  readonly securityMirror: string
  readonly packages: readonly string[]
  /** The login user, with passwordless sudo. */
  readonly user: string
  /**
   * A shell script baked into the image after it is configured (in a chroot, apt through the lab's proxy):
   * what its hosts would install anyway, as a Packer-built AMI has it. Host configuration then finds the
   * packages there and skips its install step. Without it the hosts install everything themselves.
   */
  readonly bake?: string
}

/** Debian 13 with what host configuration needs and is cheap: systemd, sshd, sudo, curl, python3, iproute2. */
export const TRIXIE: ImageRecipe = {
  suite: 'trixie',
  mirror: 'http://deb.debian.org/debian',
  securityMirror: 'http://deb.debian.org/debian-security',
  packages: [
    'systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'sudo', 'curl', 'ca-certificates', 'python3', 'iproute2',
    'procps', 'iputils-ping', 'netbase', 'less',
  ],
  user: 'admin',
}

/**
 * The script run once in the new rootfs (`chroot`): the login user, apt at
 * Debian's mirror only (the proxy is set per host, it is the lab's address),
 * no DNS (`/etc/hosts` per host), no host identity (each host gets its own
 * machine-id and SSH host keys), and no apt timers racing host configuration.
 */
export function configureScript(r: ImageRecipe): string {
  const sources = [
    `Types: deb\nURIs: ${r.mirror}\nSuites: ${r.suite} ${r.suite}-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
    `Types: deb\nURIs: ${r.securityMirror}\nSuites: ${r.suite}-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
  ].join('\n')
  return [
    'set -eu',
    `useradd --create-home --shell /bin/bash --groups sudo ${r.user}`,
    `printf '%s\\n' '${r.user} ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/${r.user}`,
    `chmod 0440 /etc/sudoers.d/${r.user}`,
    `install -d -m 0700 -o ${r.user} -g ${r.user} /home/${r.user}/.ssh`,
    'systemctl mask apt-daily.timer apt-daily-upgrade.timer',
    'rm -f /etc/apt/sources.list /etc/ssh/ssh_host_*',
    `printf '%s' '${sources}' > /etc/apt/sources.list.d/debian.sources`,
    ': > /etc/machine-id',
    ': > /etc/resolv.conf',
    'rm -f /etc/hostname',
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/*',
  ].join('\n')
}

/**
 * {@link ImageRecipe.bake} and then what no host may share: apt's lists and cache, and the snakeoil TLS
 * key pair that `ssl-cert` generates on install (every host of the image would have the same private key).
 */
export function bakeScript(r: ImageRecipe): string | undefined {
  if (r.bake === undefined) return undefined
  return [
    'set -eu',
    'export DEBIAN_FRONTEND=noninteractive',
    r.bake,
    'apt-get clean',
    'rm -rf /var/lib/apt/lists/*',
    'rm -f /etc/ssl/private/ssl-cert-snakeoil.key /etc/ssl/certs/ssl-cert-snakeoil.pem',
  ].join('\n')
}

/** `base` with `script` baked in: see {@link ImageRecipe.bake}. */
export function bakedRecipe(base: ImageRecipe, script: string): ImageRecipe {
  return { ...base, bake: script }
}

/** The image's cache key: the first 16 hex digits of the SHA-256 of the recipe and its configure script. */
export function recipeHash(r: ImageRecipe): string {
  return createHash('sha256').update(JSON.stringify(r)).update(configureScript(r)).digest('hex').slice(0, 16)
}

/** The debootstrap command for `r` into `target`. */
export function debootstrapCommand(r: ImageRecipe, target: string): string[] {
  return ['debootstrap', '--variant=minbase', `--include=${r.packages.join(',')}`, r.suite, target, r.mirror]
}
