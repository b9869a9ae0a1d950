import type { Command } from '../runner.js'
import type { LabHost, Link, NetworkPlan, VpcNet } from './network-plan.js'

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
  { cmd: ip(l.a.ns, 'link', 'set', l.a.dev, 'up') },
  { cmd: ip(l.b.ns, 'addr', 'add', `${l.b.ip}/${l.prefix}`, 'dev', l.b.dev) },
  { cmd: ip(l.b.ns, 'link', 'set', l.b.dev, 'up') },
]

/** The VPC router's bridge with every subnet's `.1`, and the bridge ends of its hosts' veths. */
const vpcSteps = (v: VpcNet, hosts: readonly LabHost[]): Step[] => [
  { cmd: ip(v.ns, 'link', 'add', 'br0', 'type', 'bridge') },
  ...v.gateways.map((g) => ({ cmd: ip(v.ns, 'addr', 'add', g, 'dev', 'br0') })),
  { cmd: ip(v.ns, 'link', 'set', 'br0', 'up') },
  ...hosts.flatMap((h): Step[] => [
    { cmd: ip(v.ns, 'link', 'add', h.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns) },
    { cmd: ip(v.ns, 'link', 'set', h.port, 'master', 'br0', 'up') },
  ]),
]

/**
 * Every command that builds the lab's network from nothing, in order; pure.
 * Grouped by namespace where order allows, so {@link batchSteps} folds them
 * into few processes.
 */
export function createNetworkSteps(plan: NetworkPlan, rules: { readonly primary: string; readonly dr: string }): Step[] {
  const { primary, dr, peeringNs } = plan
  const namespaces = [primary.ns, dr.ns, peeringNs, ...plan.hosts.map((h) => h.ns)]
  const [ta, tb] = plan.delayTuns
  return [
    ...plan.guardRoutes.map((r) => ({ cmd: ['ip', 'route', 'replace', 'unreachable', r] })),
    ...namespaces.map((ns) => ({ cmd: ['ip', 'netns', 'add', ns] })),
    ...[primary.ns, dr.ns, peeringNs].map(routerSysctls),
    ...vpcSteps(primary, plan.hosts.filter((h) => h.vpc === 'primary')),
    ...vpcSteps(dr, plan.hosts.filter((h) => h.vpc === 'dr')),
    ...[primary.ns, dr.ns, peeringNs].map((ns) => ({ cmd: ip(ns, 'link', 'set', 'lo', 'up') })),
    ...plan.hosts.flatMap((h): Step[] => [
      { cmd: ip(h.ns, 'link', 'set', 'lo', 'up') },
      { cmd: ip(h.ns, 'addr', 'add', `${h.ip}/${h.prefix}`, 'dev', 'eth0') },
      { cmd: ip(h.ns, 'link', 'set', 'eth0', 'up') },
      { cmd: ip(h.ns, 'route', 'add', 'default', 'via', h.gateway) },
    ]),
    ...linkSteps(plan.uplink).slice(0, 3),
    { cmd: ['ip', 'route', 'replace', plan.publicRange, 'via', plan.uplink.b.ip, 'dev', plan.uplink.a.dev] },
    ...linkSteps(plan.uplink).slice(3),
    // primary VPC router: DR via the peering
    ...linkSteps(plan.peerPrimary),
    { cmd: ip(primary.ns, 'route', 'add', dr.cidr, 'via', plan.peerPrimary.b.ip) },
    // peering router: each side's traffic goes through the delay line (tun ta/tb), then on by the main table
    ...linkSteps(plan.peerDr).slice(0, 3),
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
    ...linkSteps(plan.peerDr).slice(3),
    // DR VPC router: everything else via the peering
    { cmd: ip(dr.ns, 'route', 'add', 'default', 'via', plan.peerDr.a.ip) },
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

const OBJECTS = new Set(['link', 'addr', 'route', 'rule', 'tuntap'])

/** The namespace an `ip` step configures (`''` = the root one), or undefined when it cannot go in a batch. */
const batchKey = (s: Step): string | undefined => {
  const [ip, a, b, c] = s.cmd
  if (ip !== 'ip' || s.input !== undefined) return undefined
  if (a === '-n' && b !== undefined && c !== undefined && OBJECTS.has(c)) return b
  if (a === 'netns' && b === 'add') return ''
  return a !== undefined && OBJECTS.has(a) ? '' : undefined
}

/**
 * Fold runs of consecutive `ip` steps on one namespace into one
 * `ip [-n ns] -batch -` each (one process instead of dozens: on a loaded
 * 2-core machine each spawn costs tens of ms). Order is kept; `ip` stops at
 * the first failing line, as the single commands would.
 */
export function batchSteps(steps: readonly Step[]): Step[] {
  const out: Step[] = []
  let run: { key: string; lines: string[] } | undefined
  const flush = (): void => {
    if (run === undefined) return
    out.push({ cmd: ['ip', ...(run.key === '' ? [] : ['-n', run.key]), '-batch', '-'], input: run.lines.join('\n') + '\n' })
    run = undefined
  }
  for (const s of steps) {
    const key = batchKey(s)
    if (key === undefined) {
      flush()
      out.push(s)
      continue
    }
    if (run !== undefined && run.key !== key) flush()
    run ??= { key, lines: [] }
    run.lines.push(s.cmd.slice(key === '' ? 1 : 3).join(' '))
  }
  flush()
  return out
}
