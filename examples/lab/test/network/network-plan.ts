import t from 'tap'
import { networkPlan } from '../../src/network/network-plan.js'
import { labStack } from '../helpers/stack.js'

t.test('one host per machine of the stack, plus the edge, at the stack\'s addresses', async (t) => {
  const stack = await labStack()
  const p = networkPlan(stack, { name: 'lab', slot: 3 })
  t.strictSame(
    p.hosts.map((h) => [h.name, h.role, h.ip, h.gateway, h.vpc, h.ns, h.port]),
    [
      ['bastion', 'bastion', '10.10.0.10', '10.10.0.1', 'primary', 'bhl-lab-bastion', 'h-bastion'],
      ['db1', 'db', '10.10.10.10', '10.10.10.1', 'primary', 'bhl-lab-db1', 'h-db1'],
      ['db2', 'db', '10.10.11.10', '10.10.11.1', 'primary', 'bhl-lab-db2', 'h-db2'],
      ['db3', 'db', '10.10.12.10', '10.10.12.1', 'primary', 'bhl-lab-db3', 'h-db3'],
      ['app1', 'app', '10.10.10.20', '10.10.10.1', 'primary', 'bhl-lab-app1', 'h-app1'],
      ['app2', 'app', '10.10.11.20', '10.10.11.1', 'primary', 'bhl-lab-app2', 'h-app2'],
      ['dr1', 'dr-db', '10.20.10.10', '10.20.10.1', 'dr', 'bhl-lab-dr1', 'h-dr1'],
      ['edge', 'edge', '10.10.0.20', '10.10.0.1', 'primary', 'bhl-lab-edge', 'h-edge'],
    ],
  )
  t.ok(p.hosts.every((h) => h.port.length <= 15 && h.prefix === 24))
})

t.test('networks, links and the lab range of the slot', async (t) => {
  const stack = await labStack()
  const p = networkPlan(stack, { name: 'lab', slot: 3 }, { edgePorts: [8404], aptProxyPort: 3150 })
  t.strictSame(p.primary, {
    ns: 'bhl-lab-vpc', cidr: '10.10.0.0/16',
    gateways: ['10.10.0.1/24', '10.10.1.1/24', '10.10.2.1/24', '10.10.10.1/24', '10.10.11.1/24', '10.10.12.1/24'],
  })
  t.strictSame(p.dr, { ns: 'bhl-lab-drvpc', cidr: '10.20.0.0/16', gateways: ['10.20.0.1/24', '10.20.10.1/24'] })
  t.equal(p.peeringNs, 'bhl-lab-peering')
  t.strictSame(p.uplink, { a: { ns: undefined, dev: 'bhl-lab', ip: '198.18.3.1' }, b: { ns: 'bhl-lab-vpc', dev: 'uplink', ip: '198.18.3.2' }, prefix: 30 })
  t.equal(p.uplinkSubnet, '198.18.3.0/30')
  t.equal(p.peerPrimary.b.ip, '198.18.3.6')
  t.equal(p.peerDr.a.ip, '198.18.3.9')
  t.equal(p.publicRange, '198.18.3.64/26')
  t.strictSame(p.published, [
    { host: 'bastion', publicIp: '198.18.3.100', ip: '10.10.0.10', ports: [22] },
    { host: 'edge', publicIp: '198.18.3.80', ip: '10.10.0.20', ports: [80, 8404] },
  ])
  t.strictSame(p.aptProxy, { ip: '198.18.3.1', port: 3150 })
  t.strictSame(p.guardRoutes, ['10.10.0.0/16', '10.20.0.0/16'])
  t.strictSame(networkPlan(stack, { name: 'lab', slot: 0 }).aptProxy, { ip: '198.18.0.1', port: 3142 })
  t.strictSame(networkPlan(stack, { name: 'lab', slot: 0 }).published[1]?.ports, [80])
})
