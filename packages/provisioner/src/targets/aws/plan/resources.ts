import type { HostRole } from '../../../plan/host-role.js'

/** Tag keys used to discover a stack's resources (there is no state file). */
export const TAG_STACK = 'birthday-ha:stack'
export const TAG_ROLE = 'birthday-ha:role'

/** The role of a host, written to the `birthday-ha:role` tag. */
export type { HostRole }

/** Where an ingress rule lets traffic come from. */
export type RuleSource = { readonly cidr: string } | { readonly sg: string }

/** One TCP ingress rule of a security group (egress stays AWS's default allow-all). */
export interface IngressRule {
  readonly fromPort: number
  readonly toPort: number
  readonly source: RuleSource
  readonly description: string
}

/** A route of a route table; the target is a resource key. */
export interface RouteSpec {
  readonly destination: string
  readonly target: { readonly kind: 'internet-gateway' | 'nat-gateway' | 'vpc-peering'; readonly key: string }
}


interface Base {
  /** Unique within the stack, e.g. `primary/subnet/private-1`. */
  readonly key: string
  readonly region: string
  /** The `birthday-ha:role` tag. */
  readonly role: string
}

/** Every resource the stack owns, as desired. Keys in props refer to other resources. */
export type DesiredResource = Base &
  (
    | { readonly kind: 'secret'; readonly parameter: string }
    | { readonly kind: 'vpc'; readonly cidr: string }
    | { readonly kind: 'internet-gateway'; readonly vpc: string }
    | { readonly kind: 'subnet'; readonly vpc: string; readonly cidr: string; readonly az: string; readonly public: boolean }
    | { readonly kind: 'elastic-ip' }
    | { readonly kind: 'nat-gateway'; readonly subnet: string; readonly eip: string }
    | { readonly kind: 'vpc-peering'; readonly vpc: string; readonly peerVpc: string; readonly peerRegion: string }
    | { readonly kind: 'route-table'; readonly vpc: string; readonly subnets: readonly string[]; readonly routes: readonly RouteSpec[] }
    | { readonly kind: 'vpc-endpoint'; readonly vpc: string; readonly service: string; readonly routeTables: readonly string[] }
    | { readonly kind: 'security-group'; readonly vpc: string; readonly description: string; readonly ingress: readonly IngressRule[] }
    | {
        readonly kind: 'instance'
        readonly hostRole: HostRole
        readonly subnet: string
        readonly securityGroup: string
        readonly instanceType: string
        readonly privateIp: string
        readonly publicIp: boolean
        readonly volumeGiB: number
      }
    | {
        readonly kind: 'target-group'
        readonly vpc: string
        readonly name: string
        readonly port: number
        readonly healthPath: string
        readonly deregistrationDelaySeconds: number
        readonly targets: readonly string[]
      }
    | { readonly kind: 'load-balancer'; readonly name: string; readonly subnets: readonly string[]; readonly securityGroup: string }
    | {
        readonly kind: 'listener'
        readonly loadBalancer: string
        readonly targetGroup: string
        readonly port: number
        readonly certificateArn?: string
      }
  )

/** The kind of a resource. */
export type ResourceKind = DesiredResource['kind']

/** Narrow a desired resource by kind. */
export type DesiredOf<K extends ResourceKind> = Extract<DesiredResource, { kind: K }>

/** A resource found in the account by its tags. */
export interface ActualResource {
  readonly key: string
  readonly kind: ResourceKind
  readonly region: string
  /** The AWS id (vpc-…, an ARN for ELBv2, the parameter name for secrets). */
  readonly id: string
  /** Kind-specific facts used to reconcile (rules, routes, targets, addresses…). */
  readonly facts: Readonly<Record<string, unknown>>
}

/** A resource AWS still lists for a while after it is gone (a terminated instance, a deleted or deleting NAT gateway). */
export interface GoneResource {
  readonly key: string
  readonly kind: ResourceKind
  readonly region: string
  readonly id: string
  readonly state: string
}

/** The AWS `Name` tag of a resource. */
export function nameTag(stack: string, key: string): string {
  return `${stack}-${key.replaceAll('/', '-')}`
}
