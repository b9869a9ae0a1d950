import type { LabHost } from '../network/network-plan.js'

/** A file of a host's own identity, written into its disk before its first boot. */
export interface IdentityFile {
  readonly path: string
  readonly content: string
  readonly mode: number
  /** Owned by the login user instead of root. */
  readonly userOwned?: boolean
}

/** What makes one host itself: name, address book, apt proxy, the stack's SSH key; pure. */
export interface IdentityInput {
  readonly host: LabHost
  readonly hosts: readonly LabHost[]
  readonly machineId: string
  readonly proxyUrl: string
  readonly authorizedKey: string
  readonly user: string
}

/** `/etc/hosts` of the lab: every host by name (there is no DNS). */
export function etcHosts(hosts: readonly LabHost[]): string {
  return ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', ...hosts.map((h) => `${h.ip}\t${h.name}`), ''].join('\n')
}

/** The files that give a host its identity (SSH host keys are generated beside them). */
export function identityFiles(i: IdentityInput): IdentityFile[] {
  return [
    { path: '/etc/hostname', content: `${i.host.name}\n`, mode: 0o644 },
    { path: '/etc/machine-id', content: `${i.machineId}\n`, mode: 0o444 },
    { path: '/etc/hosts', content: etcHosts(i.hosts), mode: 0o644 },
    { path: '/etc/apt/apt.conf.d/01lab-proxy', content: `Acquire::http::Proxy "${i.proxyUrl}";\nAcquire::https::Proxy "DIRECT";\n`, mode: 0o644 },
    { path: '/etc/ssh/sshd_config.d/lab-host-keys.conf', content: 'HostKey /etc/ssh/ssh_host_ed25519_key\nHostKey /etc/ssh/ssh_host_ecdsa_key\n', mode: 0o644 },
    { path: `/home/${i.user}/.ssh/authorized_keys`, content: `${i.authorizedKey.trim()}\n`, mode: 0o600, userOwned: true },
  ]
}

/** The `known_hosts` lines for a host: its name, private address and public one if it has one. */
export function knownHostsLines(names: readonly string[], publicKeys: readonly string[]): string[] {
  return publicKeys.map((k) => `${names.join(',')} ${k.trim().split(' ').slice(0, 2).join(' ')}`)
}
