import type { Stack } from '../stack/schema.js'

/** The fixed address plan of a stack: every subnet and host address is known before anything exists. */
export interface AddressPlan {
  readonly primary: {
    readonly publicSubnets: readonly string[]
    readonly privateSubnets: readonly string[]
    readonly bastion: string
    readonly db: readonly string[]
    readonly app: readonly { readonly ip: string; readonly az: number }[]
  }
  readonly dr: { readonly publicSubnet: string; readonly privateSubnet: string; readonly db: string }
}

/**
 * Derive the address plan: public subnet i is `a.b.i.0/24`, private subnet
 * i is `a.b.(10+i).0/24`; the bastion is `.10` of public subnet 0; DB host i
 * is `.10` of private subnet i; app host j is `.(20 + j/3)` of private subnet j%3.
 */
export function addresses(stack: Stack): AddressPlan {
  const p = stack.primary.cidr.split('.').slice(0, 2).join('.')
  const d = stack.dr.cidr.split('.').slice(0, 2).join('.')
  const azs = [0, 1, 2]
  return {
    primary: {
      publicSubnets: azs.map((i) => `${p}.${i}.0/24`),
      privateSubnets: azs.map((i) => `${p}.${10 + i}.0/24`),
      bastion: `${p}.0.10`,
      db: azs.map((i) => `${p}.${10 + i}.10`),
      app: Array.from({ length: stack.app.count }, (_, j) => ({ ip: `${p}.${10 + (j % 3)}.${20 + Math.floor(j / 3)}`, az: j % 3 })),
    },
    dr: { publicSubnet: `${d}.0.0/24`, privateSubnet: `${d}.10.0/24`, db: `${d}.10.10` },
  }
}
