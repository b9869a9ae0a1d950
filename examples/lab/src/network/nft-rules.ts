import type { NetworkPlan } from './network-plan.js'

/**
 * The primary VPC router's nftables ruleset: the internet gateway of the lab.
 * - DNAT of the public addresses to the bastion and the load balancer, for the listed ports only;
 * - hosts of both VPCs may reach each other, and the root side only at the apt proxy (masqueraded,
 *   because the root namespace has `unreachable` routes for the stack's ranges);
 * - everything else that would cross the uplink is dropped.
 */
export function primaryRouterRules(plan: NetworkPlan): string {
  const up = plan.uplink.b.dev
  const vpcs = `{ ${plan.primary.cidr}, ${plan.dr.cidr} }`
  const dnat = plan.published.map((p) => `    iifname "${up}" ip daddr ${p.publicIp} tcp dport { ${p.ports.join(', ')} } dnat ip to ${p.ip}`)
  return [
    'table inet lab {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...dnat,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "${up}" masquerade`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    `    iifname "${up}" ct status dnat accept`,
    `    oifname "${up}" ip daddr ${plan.aptProxy.ip} tcp dport ${plan.aptProxy.port} accept`,
    `    ip saddr ${vpcs} ip daddr ${vpcs} accept`,
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    ct state established,related accept',
    '    iifname "lo" accept',
    '    ip protocol icmp accept',
    '  }',
    '}',
    '',
  ].join('\n')
}

/** The DR VPC router's ruleset: only traffic between the two VPCs, and the DR hosts' way to the apt proxy. */
export function drRouterRules(plan: NetworkPlan): string {
  const vpcs = `{ ${plan.primary.cidr}, ${plan.dr.cidr} }`
  return [
    'table inet lab {',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    `    ip saddr ${vpcs} ip daddr ${vpcs} accept`,
    `    ip saddr ${plan.dr.cidr} ip daddr ${plan.aptProxy.ip} tcp dport ${plan.aptProxy.port} accept`,
    '  }',
    '}',
    '',
  ].join('\n')
}

/**
 * The fault table of one host's namespace: drop everything to and from `peers`.
 * An empty list gives an empty table (heal).
 */
export function partitionRules(peers: readonly string[]): string {
  const rules = peers.length === 0 ? [] : [`    ip saddr { ${peers.join(', ')} } drop`]
  const out = peers.length === 0 ? [] : [`    ip daddr { ${peers.join(', ')} } drop`]
  return [
    'table inet lab-fault {',
    '  chain input {',
    '    type filter hook input priority filter - 10; policy accept;',
    ...rules,
    '  }',
    '  chain output {',
    '    type filter hook output priority filter - 10; policy accept;',
    ...out,
    '  }',
    '}',
    '',
  ].join('\n')
}
