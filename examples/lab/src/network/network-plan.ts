import type { Stack } from '@birthday-ha/provisioner'
import { addresses } from '@birthday-ha/provisioner/plan'
import { labLayout, type LabId, type LabRoots } from '../layout.js'

/** What a lab host stands for: a machine of the stack, or the lab's load balancer. */
export type LabRole = 'bastion' | 'db' | 'app' | 'dr-db' | 'edge'

/** One host of the lab and its place on the lab's networks. */
export interface LabHost {
  /** The stack's host name (`bastion`, `db1`…, `app1`…, `dr1`) or `edge`. */
  readonly name: string
  readonly role: LabRole
  readonly vpc: 'primary' | 'dr'
  /** The stack's fixed private address. */
  readonly ip: string
  readonly prefix: 24
  /** `.1` of the host's subnet: the VPC router's address on the bridge. */
  readonly gateway: string
  /** The host's own network namespace (`/run/netns/<ns>`). */
  readonly ns: string
  /** The bridge-side end of its veth (in the VPC namespace; the host's end is `eth0`). */
  readonly port: string
}

/** A point-to-point link between two namespaces (`undefined` ns = the root namespace). */
export interface Link {
  readonly a: { readonly ns: string | undefined; readonly dev: string; readonly ip: string }
  readonly b: { readonly ns: string; readonly dev: string; readonly ip: string }
  readonly prefix: 30
}

/** One VPC: a namespace holding its bridge and routing between its subnets. */
export interface VpcNet {
  readonly ns: string
  readonly cidr: string
  /** `x.y.z.1/24` of every subnet, all on the bridge `br0`. */
  readonly gateways: readonly string[]
}

/**
 * The whole network of a lab, as data. The lab range is `198.18.<slot>.0/24`
 * (RFC 2544's benchmarking block: never routed on the internet and, unlike
 * 100.64.0.0/10, not used by carrier-grade NAT or VPN clients such as
 * Tailscale, so it cannot collide with a route the machine already has):
 * `.0/30` the root link (`.1` root, where the apt proxy listens, `.2` the
 * primary VPC router), `.4/30` primary VPC ↔ peering, `.8/30` peering ↔ DR
 * VPC, `.64/26` the "public" addresses (the bastion's, the load balancer's),
 * DNAT-ed to the hosts' private ones like an internet gateway does.
 */
export interface NetworkPlan {
  readonly id: LabId
  readonly hosts: readonly LabHost[]
  readonly primary: VpcNet
  readonly dr: VpcNet
  /** The peering router's namespace; the delay line runs there between `pv` and `pd`. */
  readonly peeringNs: string
  readonly uplink: Link
  /** The root link's subnet (`198.18.<slot>.0/30`). */
  readonly uplinkSubnet: string
  readonly peerPrimary: Link
  readonly peerDr: Link
  /** Root-namespace route to the public addresses. */
  readonly publicRange: string
  /** Public address → private address and the TCP ports the machine may reach there. */
  readonly published: readonly { readonly host: string; readonly publicIp: string; readonly ip: string; readonly ports: readonly number[] }[]
  readonly aptProxy: { readonly ip: string; readonly port: number }
  /** The stack's ranges: `unreachable` in the root namespace while the lab runs and after. */
  readonly guardRoutes: readonly string[]
  /** The tun devices of the delay line in the peering namespace. */
  readonly delayTuns: readonly [string, string]
}

/** Options of {@link networkPlan}. */
export interface NetworkPlanOptions {
  /** Extra TCP ports published on the load balancer (e.g. haproxy's stats). Default none. */
  readonly edgePorts?: readonly number[]
  readonly roots?: LabRoots
  /** The apt proxy's port on the root side of the lab link. Default 3142. */
  readonly aptProxyPort?: number
}

const gatewayOf = (ip: string): string => ip.split('.').slice(0, 3).join('.') + '.1'

/** The lab's network for `stack`; pure. The edge host sits at `.20` of the primary's first public subnet. */
export function networkPlan(stack: Stack, id: LabId, o: NetworkPlanOptions = {}): NetworkPlan {
  const a = addresses(stack)
  const layout = labLayout(id, o.roots)
  const p = stack.primary.cidr.split('.').slice(0, 2).join('.')
  const lab = `198.18.${id.slot}`
  const host = (name: string, role: LabRole, ip: string, vpc: 'primary' | 'dr'): LabHost => ({
    name, role, vpc, ip, prefix: 24, gateway: gatewayOf(ip), ns: layout.hostNs(name), port: `h-${name}`,
  })
  const hosts: LabHost[] = [
    host('bastion', 'bastion', a.primary.bastion, 'primary'),
    ...a.primary.db.map((ip, i) => host(`db${i + 1}`, 'db', ip, 'primary')),
    ...a.primary.app.map((x, i) => host(`app${i + 1}`, 'app', x.ip, 'primary')),
    host('dr1', 'dr-db', a.dr.db, 'dr'),
    host('edge', 'edge', `${p}.0.20`, 'primary'),
  ]
  const vpcNs = `${layout.nsPrefix}vpc`
  const drNs = `${layout.nsPrefix}drvpc`
  const peeringNs = `${layout.nsPrefix}peering`
  const gw = (subnet: string): string => subnet.replace(/\.0\/24$/, '.1/24')
  const bastion = hosts[0] as LabHost
  const edge = hosts[hosts.length - 1] as LabHost
  return {
    id,
    hosts,
    primary: { ns: vpcNs, cidr: stack.primary.cidr, gateways: [...a.primary.publicSubnets, ...a.primary.privateSubnets].map(gw) },
    dr: { ns: drNs, cidr: stack.dr.cidr, gateways: [a.dr.publicSubnet, a.dr.privateSubnet].map(gw) },
    peeringNs,
    uplink: { a: { ns: undefined, dev: `bhl-${id.name}`, ip: `${lab}.1` }, b: { ns: vpcNs, dev: 'uplink', ip: `${lab}.2` }, prefix: 30 },
    uplinkSubnet: `${lab}.0/30`,
    peerPrimary: { a: { ns: vpcNs, dev: 'peer', ip: `${lab}.5` }, b: { ns: peeringNs, dev: 'pv', ip: `${lab}.6` }, prefix: 30 },
    peerDr: { a: { ns: peeringNs, dev: 'pd', ip: `${lab}.9` }, b: { ns: drNs, dev: 'peer', ip: `${lab}.10` }, prefix: 30 },
    publicRange: `${lab}.64/26`,
    published: [
      { host: bastion.name, publicIp: `${lab}.100`, ip: bastion.ip, ports: [22] },
      { host: edge.name, publicIp: `${lab}.80`, ip: edge.ip, ports: [stack.alb.listenerPort, ...(o.edgePorts ?? [])] },
    ],
    aptProxy: { ip: `${lab}.1`, port: o.aptProxyPort ?? 3142 },
    guardRoutes: [stack.primary.cidr, stack.dr.cidr],
    delayTuns: ['ta', 'tb'],
  }
}
