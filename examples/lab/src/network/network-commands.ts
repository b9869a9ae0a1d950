import type { Command } from '../runner.js'
import type { Link, NetworkPlan, VpcNet } from './network-plan.js'

/** A command and, when it needs one, its stdin (an nftables ruleset). */
export interface Step {
  readonly cmd: Command
  readonly input?: string
}

const inNs = (ns: string, cmd: Command): Command => ['ip', 'netns', 'exec', ns, ...cmd]
const ip = (ns: string | undefined, ...args: string[]): Command => (ns === undefined ? ['ip', ...args] : ['ip', '-n', ns, ...args])

/** Routers forward, send no redirects (hosts of several subnets share one bridge) and do no reverse-path filtering. */
const routerSysctls = (ns: string): Step => ({
  cmd: inNs(ns, [
    'sysctl', '-q', '-w',
    'net.ipv4.ip_forward=1',
    'net.ipv4.conf.all.send_redirects=0',
    'net.ipv4.conf.default.send_redirects=0',
    'net.ipv4.conf.all.rp_filter=0',
    'net.ipv4.conf.default.rp_filter=0',
  ]),
})

const linkSteps = (l: Link): Step[] => [
  { cmd: ip(l.a.ns, 'link', 'add', l.a.dev, 'type', 'veth', 'peer', 'name', l.b.dev, 'netns', l.b.ns) },
  { cmd: ip(l.a.ns, 'addr', 'add', `${l.a.ip}/${l.prefix}`, 'dev', l.a.dev) },
  { cmd: ip(l.b.ns, 'addr', 'add', `${l.b.ip}/${l.prefix}`, 'dev', l.b.dev) },
  { cmd: ip(l.a.ns, 'link', 'set', l.a.dev, 'up') },
  { cmd: ip(l.b.ns, 'link', 'set', l.b.dev, 'up') },
]

const bridgeSteps = (v: VpcNet): Step[] => [
  { cmd: ip(v.ns, 'link', 'add', 'br0', 'type', 'bridge') },
  ...v.gateways.map((g) => ({ cmd: ip(v.ns, 'addr', 'add', g, 'dev', 'br0') })),
  { cmd: ip(v.ns, 'link', 'set', 'br0', 'up') },
]

/** Every command that builds the lab's network from nothing, in order; pure. */
export function createNetworkSteps(plan: NetworkPlan, rules: { readonly primary: string; readonly dr: string }): Step[] {
  const { primary, dr, peeringNs } = plan
  const namespaces = [primary.ns, dr.ns, peeringNs, ...plan.hosts.map((h) => h.ns)]
  const [ta, tb] = plan.delayTuns
  return [
    ...plan.guardRoutes.map((r) => ({ cmd: ['ip', 'route', 'replace', 'unreachable', r] })),
    ...namespaces.flatMap((ns) => [{ cmd: ['ip', 'netns', 'add', ns] }, { cmd: ip(ns, 'link', 'set', 'lo', 'up') }]),
    ...[primary.ns, dr.ns, peeringNs].map(routerSysctls),
    ...bridgeSteps(primary),
    ...bridgeSteps(dr),
    ...plan.hosts.flatMap((h): Step[] => {
      const vpc = h.vpc === 'primary' ? primary.ns : dr.ns
      return [
        { cmd: ip(vpc, 'link', 'add', h.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns) },
        { cmd: ip(vpc, 'link', 'set', h.port, 'master', 'br0', 'up') },
        { cmd: ip(h.ns, 'addr', 'add', `${h.ip}/${h.prefix}`, 'dev', 'eth0') },
        { cmd: ip(h.ns, 'link', 'set', 'eth0', 'up') },
        { cmd: ip(h.ns, 'route', 'add', 'default', 'via', h.gateway) },
      ]
    }),
    ...linkSteps(plan.uplink),
    { cmd: ['ip', 'route', 'replace', plan.publicRange, 'via', plan.uplink.b.ip, 'dev', plan.uplink.a.dev] },
    ...linkSteps(plan.peerPrimary),
    ...linkSteps(plan.peerDr),
    // primary VPC router: DR via the peering; DR router: everything else via the peering
    { cmd: ip(primary.ns, 'route', 'add', dr.cidr, 'via', plan.peerPrimary.b.ip) },
    { cmd: ip(dr.ns, 'route', 'add', 'default', 'via', plan.peerDr.a.ip) },
    // peering router: each side's traffic goes through the delay line (tun ta/tb), then on by the main table
    { cmd: ip(peeringNs, 'route', 'add', primary.cidr, 'via', plan.peerPrimary.a.ip) },
    { cmd: ip(peeringNs, 'route', 'add', plan.uplinkSubnet, 'via', plan.peerPrimary.a.ip) },
    { cmd: ip(peeringNs, 'route', 'add', dr.cidr, 'via', plan.peerDr.b.ip) },
    { cmd: ip(peeringNs, 'tuntap', 'add', 'mode', 'tun', 'name', ta) },
    { cmd: ip(peeringNs, 'tuntap', 'add', 'mode', 'tun', 'name', tb) },
    { cmd: ip(peeringNs, 'link', 'set', ta, 'up') },
    { cmd: ip(peeringNs, 'link', 'set', tb, 'up') },
    { cmd: ip(peeringNs, 'route', 'add', 'default', 'dev', ta, 'table', '101') },
    { cmd: ip(peeringNs, 'route', 'add', 'default', 'dev', tb, 'table', '102') },
    { cmd: ip(peeringNs, 'rule', 'add', 'iif', plan.peerPrimary.b.dev, 'lookup', '101', 'priority', '100') },
    { cmd: ip(peeringNs, 'rule', 'add', 'iif', plan.peerDr.a.dev, 'lookup', '102', 'priority', '100') },
    { cmd: inNs(primary.ns, ['nft', '-f', '-']), input: rules.primary },
    { cmd: inNs(dr.ns, ['nft', '-f', '-']), input: rules.dr },
  ]
}

/**
 * What removes the network: deleting a namespace deletes its interfaces (and
 * so the peer ends, the root-side uplink and its route). The guard routes stay.
 */
export function destroyNetworkSteps(namespaces: readonly string[]): Step[] {
  return namespaces.map((ns) => ({ cmd: ['ip', 'netns', 'delete', ns] }))
}
