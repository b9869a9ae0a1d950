import type { NetworkPlan } from '../network/network-plan.js'

/**
 * An OpenSSH client config for the lab (`ssh -F <file> db1`): the bastion by
 * its public address, every other host by name through it (ProxyJump),
 * with the lab's key and known_hosts only.
 */
export function sshClientConfig(plan: NetworkPlan, o: { readonly user: string; readonly identityFile: string; readonly knownHosts: string }): string {
  const bastion = plan.published.find((p) => p.host === 'bastion')
  const others = plan.hosts.filter((h) => h.name !== 'bastion')
  return [
    'Host bastion',
    `  HostName ${bastion?.publicIp ?? ''}`,
    ...others.flatMap((h) => [`Host ${h.name} ${h.ip}`, `  HostName ${h.ip}`, '  ProxyJump bastion']),
    'Host *',
    `  User ${o.user}`,
    `  IdentityFile ${o.identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${o.knownHosts}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '  ConnectTimeout 5',
    '',
  ].join('\n')
}
