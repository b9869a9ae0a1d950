import { AuthorizeSecurityGroupIngressCommand, RevokeSecurityGroupIngressCommand, type IpPermission } from '@aws-sdk/client-ec2'
import type { ActualResource, DesiredOf } from '../plan/resources.js'
import type { Action, EngineContext } from '../engine/context.js'

/** Where one rule lets traffic in from: an IPv4 or IPv6 range, a prefix list, or another group. */
export type RuleFrom = { readonly cidr: string } | { readonly cidr6: string } | { readonly prefixList: string } | { readonly sg: string }

/**
 * One ingress rule exactly as AWS holds it: protocol (`-1` = all traffic,
 * `tcp`, `udp`, `icmp`, `icmpv6` or a number), the port range (the ICMP type
 * and code for ICMP; none for all traffic) and one source.
 */
export interface NormalisedRule {
  readonly protocol: string
  readonly fromPort?: number
  readonly toPort?: number
  readonly from: RuleFrom
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' }

/**
 * Flatten EC2 ip permissions into one rule per source. AWS merges rules of the
 * same protocol and ports into one `IpPermission` with several ranges
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html).
 */
export function normaliseRules(perms: readonly IpPermission[] | undefined): NormalisedRule[] {
  return (perms ?? []).flatMap((p) => {
    const raw = (p.IpProtocol ?? '-1').toLowerCase()
    const protocol = PROTOCOL_NAMES[raw] ?? raw
    const ports = protocol === '-1' || p.FromPort === undefined ? {} : { fromPort: p.FromPort, toPort: p.ToPort ?? p.FromPort }
    const rule = (from: RuleFrom): NormalisedRule => ({ protocol, ...ports, from })
    return [
      ...(p.IpRanges ?? []).map((r) => rule({ cidr: r.CidrIp ?? '' })),
      ...(p.Ipv6Ranges ?? []).map((r) => rule({ cidr6: r.CidrIpv6 ?? '' })),
      ...(p.PrefixListIds ?? []).map((r) => rule({ prefixList: r.PrefixListId ?? '' })),
      ...(p.UserIdGroupPairs ?? []).map((g) => rule({ sg: g.GroupId ?? '' })),
    ]
  })
}

const fromText = (f: RuleFrom): string => ('cidr' in f ? f.cidr : 'cidr6' in f ? f.cidr6 : 'prefixList' in f ? f.prefixList : f.sg)

/** A rule for people: `tcp/22 from ::/0`, `all traffic from 0.0.0.0/0`, `icmp 8/0 from …`. */
export function describeRule(r: NormalisedRule, label = fromText(r.from)): string {
  if (r.protocol === '-1') return `all traffic from ${label}`
  const ports = r.fromPort === undefined ? '' : r.protocol.startsWith('icmp') ? ` ${r.fromPort}/${r.toPort}` : `/${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`}`
  return `${r.protocol}${ports} from ${label}`
}

const ruleId = (r: NormalisedRule): string => `${r.protocol}|${r.fromPort ?? ''}|${r.toPort ?? ''}|${Object.keys(r.from)[0]}=${fromText(r.from)}`

/** The permission that authorizes or revokes exactly this rule (revoke must match what was described). */
export function permission(r: NormalisedRule, description?: string): IpPermission {
  const d = description === undefined ? {} : { Description: description }
  const f = r.from
  return {
    IpProtocol: r.protocol,
    ...(r.fromPort === undefined ? {} : { FromPort: r.fromPort, ToPort: r.toPort }),
    ...('cidr' in f
      ? { IpRanges: [{ CidrIp: f.cidr, ...d }] }
      : 'cidr6' in f
        ? { Ipv6Ranges: [{ CidrIpv6: f.cidr6, ...d }] }
        : 'prefixList' in f
          ? { PrefixListIds: [{ PrefixListId: f.prefixList, ...d }] }
          : { UserIdGroupPairs: [{ GroupId: f.sg, ...d }] }),
  }
}

/** Revoke every rule of a group, exactly as described (destroy drops rules before groups, which reference each other). */
export async function revokeAll(ctx: EngineContext, a: ActualResource): Promise<void> {
  const rules = a.facts['rules'] as NormalisedRule[]
  if (rules.length === 0) return
  await ctx.call('RevokeSecurityGroupIngress', () => ctx.deps.clients.ec2(a.region).send(new RevokeSecurityGroupIngressCommand({ GroupId: a.id, IpPermissions: rules.map((r) => permission(r)) })))
}

/** Rules to authorize and to revoke so the group holds exactly the desired ingress (any protocol, IPv4, IPv6, prefix lists). */
export function securityGroupActions(ctx: EngineContext, d: DesiredOf<'security-group'>, a: ActualResource): Action[] {
  const ec2 = () => ctx.deps.clients.ec2(d.region)
  const have = new Map((a.facts['rules'] as NormalisedRule[]).map((r) => [ruleId(r), r]))
  const want = new Map(
    d.ingress.map((r) => {
      const n: NormalisedRule = { protocol: 'tcp', fromPort: r.fromPort, toPort: r.toPort, from: 'cidr' in r.source ? { cidr: r.source.cidr } : { sg: ctx.idOf(r.source.sg) } }
      return [ruleId(n), { n, label: 'cidr' in r.source ? r.source.cidr : r.source.sg, description: r.description }] as const
    }),
  )
  const add = [...want].filter(([k]) => !have.has(k)).map(([, v]) => v)
  const remove = [...have].filter(([k]) => !want.has(k)).map(([, v]) => v)
  const out: Action[] = []
  if (add.length > 0) {
    out.push({
      description: `allow ${add.map((x) => describeRule(x.n, x.label)).join(', ')}`,
      run: async () => {
        const IpPermissions = add.map((x) => permission({ ...x.n, from: 'sg' in x.n.from ? { sg: ctx.requireId(x.label) } : x.n.from }, x.description))
        await ctx.call('AuthorizeSecurityGroupIngress', () => ec2().send(new AuthorizeSecurityGroupIngressCommand({ GroupId: a.id, IpPermissions })), { notFound: true })
      },
    })
  }
  if (remove.length > 0) {
    out.push({
      description: `revoke ${remove.map((r) => describeRule(r)).join(', ')}`,
      run: async () => {
        await ctx.call('RevokeSecurityGroupIngress', () => ec2().send(new RevokeSecurityGroupIngressCommand({ GroupId: a.id, IpPermissions: remove.map((r) => permission(r)) })))
      },
    })
  }
  return out
}
