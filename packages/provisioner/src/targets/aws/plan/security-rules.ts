import type { Stack } from '../../../stack/schema.js'
import type { IngressRule } from './resources.js'
import { addresses } from '../../../plan/addresses.js'

/** PostgreSQL, Patroni REST and etcd client/peer ports. */
export const PORTS = { ssh: 22, postgres: 5432, patroni: 8008, etcdClient: 2379, etcdPeer: 2380 } as const

const tcp = (port: number, source: IngressRule['source'], description: string, toPort = port): IngressRule => ({
  fromPort: port,
  toPort,
  source,
  description,
})

/**
 * The ingress rules of every security group, least privilege:
 * only the ALB listener is open to the internet; SSH only from the bastion
 * (the bastion only from the operator's CIDR); PostgreSQL and Patroni only
 * from app hosts, DB hosts and the DR host's fixed address; etcd only among
 * DB hosts. The DR host takes PostgreSQL and Patroni only from the three
 * primary DB hosts' and the app hosts' fixed addresses (the apps use it after
 * `promote-dr`; before this, a promoted DR host was unreachable from them on AWS).
 */
export function securityRules(stack: Stack): Readonly<Record<'alb' | 'bastion' | 'app' | 'db' | 'drDb', readonly IngressRule[]>> {
  const a = addresses(stack)
  const bastion = { sg: 'primary/sg/bastion' }
  const app = { sg: 'primary/sg/app' }
  const db = { sg: 'primary/sg/db' }
  const drHost = { cidr: `${a.dr.db}/32` }
  return {
    alb: [tcp(stack.alb.listenerPort, { cidr: '0.0.0.0/0' }, 'ALB listener from the internet')],
    bastion: [tcp(PORTS.ssh, { cidr: stack.operatorCidr }, 'SSH from the operator')],
    app: [tcp(stack.app.port, { sg: 'primary/sg/alb' }, 'hello service from the ALB'), tcp(PORTS.ssh, bastion, 'SSH from the bastion')],
    db: [
      tcp(PORTS.postgres, app, 'PostgreSQL from app hosts'),
      tcp(PORTS.postgres, db, 'PostgreSQL among DB hosts'),
      tcp(PORTS.postgres, drHost, 'PostgreSQL from the DR standby'),
      tcp(PORTS.patroni, app, 'Patroni REST from app hosts'),
      tcp(PORTS.patroni, db, 'Patroni REST among DB hosts'),
      tcp(PORTS.patroni, drHost, 'Patroni REST from the DR standby'),
      tcp(PORTS.etcdClient, db, 'etcd among DB hosts', PORTS.etcdPeer),
      tcp(PORTS.ssh, bastion, 'SSH from the bastion'),
    ],
    // Security groups cannot reference groups across regions: use the
    // primary DB hosts' and the bastion's fixed addresses.
    drDb: [
      // after promote-dr (and during fail-back) the app hosts reach the DR host across the peering
      ...a.primary.app.flatMap((x, i) => [
        tcp(PORTS.postgres, { cidr: `${x.ip}/32` }, `PostgreSQL from app${i + 1}`),
        tcp(PORTS.patroni, { cidr: `${x.ip}/32` }, `Patroni REST from app${i + 1}`),
      ]),
      ...a.primary.db.flatMap((ip, i) => [
        tcp(PORTS.postgres, { cidr: `${ip}/32` }, `PostgreSQL from db${i + 1}`),
        tcp(PORTS.patroni, { cidr: `${ip}/32` }, `Patroni REST from db${i + 1}`),
      ]),
      tcp(PORTS.ssh, { cidr: `${a.primary.bastion}/32` }, 'SSH from the bastion'),
    ],
  }
}
