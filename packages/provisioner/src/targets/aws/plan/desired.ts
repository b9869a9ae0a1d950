import type { Stack } from '../../../stack/schema.js'
import { addresses } from '../../../plan/addresses.js'
import type { DesiredOf, DesiredResource, HostRole } from './resources.js'
import { securityRules } from './security-rules.js'
import type { SecretName } from '../../../plan/secret-names.js'
import { SECRET_NAMES } from '../../../plan/secret-names.js'

export { SECRET_NAMES, type SecretName } from '../../../plan/secret-names.js'

/** The SSM parameter holding one secret. */
export function secretParameter(stack: string, name: SecretName): string {
  return `/birthday-ha/${stack}/${name}`
}


/**
 * Compute the desired resources of a stack, in dependency order
 * (each resource only refers to resources listed before it).
 */
export function desiredResources(stack: Stack): readonly DesiredResource[] {
  const a = addresses(stack)
  const rules = securityRules(stack)
  const P = stack.primary.region
  const D = stack.dr.region
  const out: DesiredResource[] = []
  const azIdx = [0, 1, 2] as const

  for (const [side, region] of [['primary', P], ['dr', D]] as const) {
    for (const name of SECRET_NAMES) {
      out.push({ key: `${side}/secret/${name}`, kind: 'secret', region, role: 'secret', parameter: secretParameter(stack.name, name) })
    }
  }
  out.push({ key: 'primary/vpc', kind: 'vpc', region: P, role: 'network', cidr: stack.primary.cidr })
  out.push({ key: 'dr/vpc', kind: 'vpc', region: D, role: 'network', cidr: stack.dr.cidr })
  out.push({ key: 'primary/igw', kind: 'internet-gateway', region: P, role: 'network', vpc: 'primary/vpc' })
  out.push({ key: 'dr/igw', kind: 'internet-gateway', region: D, role: 'network', vpc: 'dr/vpc' })
  for (const i of azIdx) {
    const az = stack.primary.azs[i]
    out.push({ key: `primary/subnet/public-${i + 1}`, kind: 'subnet', region: P, role: 'network', vpc: 'primary/vpc', cidr: a.primary.publicSubnets[i]!, az, public: true })
    out.push({ key: `primary/subnet/private-${i + 1}`, kind: 'subnet', region: P, role: 'network', vpc: 'primary/vpc', cidr: a.primary.privateSubnets[i]!, az, public: false })
  }
  out.push({ key: 'dr/subnet/public-1', kind: 'subnet', region: D, role: 'network', vpc: 'dr/vpc', cidr: a.dr.publicSubnet, az: stack.dr.az, public: true })
  out.push({ key: 'dr/subnet/private-1', kind: 'subnet', region: D, role: 'network', vpc: 'dr/vpc', cidr: a.dr.privateSubnet, az: stack.dr.az, public: false })
  for (const [side, region] of [['primary', P], ['dr', D]] as const) {
    out.push({ key: `${side}/eip/nat`, kind: 'elastic-ip', region, role: 'network' })
    out.push({ key: `${side}/nat`, kind: 'nat-gateway', region, role: 'network', subnet: `${side}/subnet/public-1`, eip: `${side}/eip/nat` })
  }
  out.push({ key: 'primary/peering', kind: 'vpc-peering', region: P, role: 'network', vpc: 'primary/vpc', peerVpc: 'dr/vpc', peerRegion: D })
  const peer = { kind: 'vpc-peering', key: 'primary/peering' } as const
  const primarySubnets = (kind: string) => azIdx.map((i) => `primary/subnet/${kind}-${i + 1}`)
  out.push({
    key: 'primary/rt/public', kind: 'route-table', region: P, role: 'network', vpc: 'primary/vpc', subnets: primarySubnets('public'),
    routes: [{ destination: '0.0.0.0/0', target: { kind: 'internet-gateway', key: 'primary/igw' } }, { destination: stack.dr.cidr, target: peer }],
  })
  out.push({
    key: 'primary/rt/private', kind: 'route-table', region: P, role: 'network', vpc: 'primary/vpc', subnets: primarySubnets('private'),
    routes: [{ destination: '0.0.0.0/0', target: { kind: 'nat-gateway', key: 'primary/nat' } }, { destination: stack.dr.cidr, target: peer }],
  })
  out.push({
    key: 'dr/rt/public', kind: 'route-table', region: D, role: 'network', vpc: 'dr/vpc', subnets: ['dr/subnet/public-1'],
    routes: [{ destination: '0.0.0.0/0', target: { kind: 'internet-gateway', key: 'dr/igw' } }],
  })
  out.push({
    key: 'dr/rt/private', kind: 'route-table', region: D, role: 'network', vpc: 'dr/vpc', subnets: ['dr/subnet/private-1'],
    routes: [{ destination: '0.0.0.0/0', target: { kind: 'nat-gateway', key: 'dr/nat' } }, { destination: stack.primary.cidr, target: peer }],
  })
  // S3 gateway endpoint: WAL archiving to a bucket in the primary region goes neither through the
  // single NAT gateway's AZ nor pays NAT data charges (gateway endpoints only serve their own region).
  out.push({ key: 'primary/vpce/s3', kind: 'vpc-endpoint', region: P, role: 'network', vpc: 'primary/vpc', service: `com.amazonaws.${P}.s3`, routeTables: ['primary/rt/private'] })
  const sg = (key: string, region: string, vpc: string, description: string, ingress: DesiredOf<'security-group'>['ingress']): void => {
    out.push({ key, kind: 'security-group', region, role: 'firewall', vpc, description, ingress })
  }
  sg('primary/sg/alb', P, 'primary/vpc', 'birthday-ha ALB', rules.alb)
  sg('primary/sg/bastion', P, 'primary/vpc', 'birthday-ha bastion', rules.bastion)
  sg('primary/sg/app', P, 'primary/vpc', 'birthday-ha app hosts', rules.app)
  sg('primary/sg/db', P, 'primary/vpc', 'birthday-ha database hosts', rules.db)
  sg('dr/sg/db', D, 'dr/vpc', 'birthday-ha DR database host', rules.drDb)

  const host = (key: string, region: string, hostRole: HostRole, subnet: string, securityGroup: string, privateIp: string): void => {
    const db = hostRole === 'db' || hostRole === 'dr-db'
    out.push({
      key, kind: 'instance', region, role: hostRole, hostRole, subnet, securityGroup, privateIp,
      instanceType: db ? stack.instanceTypes.db : hostRole === 'app' ? stack.instanceTypes.app : stack.instanceTypes.bastion,
      publicIp: hostRole === 'bastion',
      volumeGiB: db ? stack.database.volumeGiB : 20,
    })
  }
  host('primary/host/bastion', P, 'bastion', 'primary/subnet/public-1', 'primary/sg/bastion', a.primary.bastion)
  for (const i of azIdx) host(`primary/host/db-${i + 1}`, P, 'db', `primary/subnet/private-${i + 1}`, 'primary/sg/db', a.primary.db[i]!)
  a.primary.app.forEach((app, j) => host(`primary/host/app-${j + 1}`, P, 'app', `primary/subnet/private-${app.az + 1}`, 'primary/sg/app', app.ip))
  host('dr/host/db-1', D, 'dr-db', 'dr/subnet/private-1', 'dr/sg/db', a.dr.db)

  out.push({
    key: 'primary/tg/app', kind: 'target-group', region: P, role: 'load-balancer', vpc: 'primary/vpc', name: `${stack.name}-app`,
    port: stack.app.port, healthPath: '/readyz', deregistrationDelaySeconds: stack.alb.deregistrationDelaySeconds,
    targets: a.primary.app.map((_, j) => `primary/host/app-${j + 1}`),
  })
  out.push({ key: 'primary/alb', kind: 'load-balancer', region: P, role: 'load-balancer', name: `${stack.name}-alb`, subnets: primarySubnets('public'), securityGroup: 'primary/sg/alb' })
  out.push({
    key: 'primary/listener', kind: 'listener', region: P, role: 'load-balancer', loadBalancer: 'primary/alb', targetGroup: 'primary/tg/app',
    port: stack.alb.listenerPort, ...(stack.alb.certificateArn === undefined ? {} : { certificateArn: stack.alb.certificateArn }),
  })
  return out
}
