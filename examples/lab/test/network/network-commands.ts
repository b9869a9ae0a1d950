import t from 'tap'
import { createNetworkSteps, destroyNetworkSteps } from '../../src/network/network-commands.js'
import { networkPlan } from '../../src/network/network-plan.js'
import { labStack } from '../helpers/stack.js'

t.test('the network is built from nothing in order', async (t) => {
  const p = networkPlan(await labStack(), { name: 'lab', slot: 0 })
  const steps = createNetworkSteps(p, { primary: 'P', dr: 'D' })
  const lines = steps.map((s) => s.cmd.join(' '))
  t.equal(lines[0], 'ip route replace unreachable 10.10.0.0/16', 'guard routes first')
  t.equal(lines[1], 'ip route replace unreachable 10.20.0.0/16')
  t.ok(lines.includes('ip netns add bhl-lab-vpc'))
  t.ok(lines.includes('ip -n bhl-lab-db1 link set lo up'))
  t.ok(lines.includes('ip netns exec bhl-lab-vpc sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0'))
  t.ok(lines.includes('ip -n bhl-lab-vpc addr add 10.10.12.1/24 dev br0'))
  t.ok(lines.includes('ip -n bhl-lab-vpc link add h-db1 type veth peer name eth0 netns bhl-lab-db1'))
  t.ok(lines.includes('ip -n bhl-lab-drvpc link add h-dr1 type veth peer name eth0 netns bhl-lab-dr1'))
  t.ok(lines.includes('ip -n bhl-lab-db1 route add default via 10.10.10.1'))
  t.ok(lines.includes('ip link add bhl-lab type veth peer name uplink netns bhl-lab-vpc'), 'the root end of the lab link')
  t.ok(lines.includes('ip addr add 198.18.0.1/30 dev bhl-lab'))
  t.ok(lines.includes('ip route replace 198.18.0.64/26 via 198.18.0.2 dev bhl-lab'))
  t.ok(lines.includes('ip -n bhl-lab-peering route add 198.18.0.0/30 via 198.18.0.5'))
  t.ok(lines.includes('ip -n bhl-lab-peering rule add iif pv lookup 101 priority 100'))
  t.ok(lines.includes('ip -n bhl-lab-peering route add 10.20.0.0/16 via 198.18.0.10'))
  t.ok(lines.includes('ip -n bhl-lab-drvpc route add default via 198.18.0.9'))
  t.ok(lines.includes('ip -n bhl-lab-vpc route add 10.20.0.0/16 via 198.18.0.6'))
  t.ok(lines.includes('ip -n bhl-lab-peering tuntap add mode tun name ta'))
  t.strictSame(steps.filter((s) => s.input !== undefined).map((s) => [s.cmd.join(' '), s.input]), [
    ['ip netns exec bhl-lab-vpc nft -f -', 'P'],
    ['ip netns exec bhl-lab-drvpc nft -f -', 'D'],
  ])
  t.ok(lines.every((l) => !/ 10\.\d+\.\d+\.\d+/.test(l) || l.startsWith('ip -n ') || l.startsWith('ip netns ') || l.includes('unreachable')),
    'no 10.x address is configured in the root namespace')
})

t.test('teardown deletes the namespaces', async (t) => {
  t.strictSame(destroyNetworkSteps(['a', 'b']), [{ cmd: ['ip', 'netns', 'delete', 'a'] }, { cmd: ['ip', 'netns', 'delete', 'b'] }])
})

t.test('ip netns list output', async (t) => {
  const { netnsNames } = await import('../../src/network/network.js')
  t.strictSame(netnsNames(''), [])
  t.strictSame(netnsNames('bhl-lab-db1 (id: 3)\nbhl-lab-vpc\n'), ['bhl-lab-db1', 'bhl-lab-vpc'])
})

t.test('runs of ip steps on one namespace become one batch', async (t) => {
  const { batchSteps } = await import('../../src/network/network-commands.js')
  t.strictSame(
    batchSteps([
      { cmd: ['ip', 'route', 'replace', 'unreachable', '10.10.0.0/16'] },
      { cmd: ['ip', 'route', 'replace', 'unreachable', '10.20.0.0/16'] },
      { cmd: ['ip', 'netns', 'add', 'a'] },
      { cmd: ['ip', '-n', 'a', 'link', 'set', 'lo', 'up'] },
      { cmd: ['ip', '-n', 'a', 'addr', 'add', '10.10.0.1/24', 'dev', 'br0'] },
      { cmd: ['ip', '-n', 'b', 'link', 'set', 'lo', 'up'] },
      { cmd: ['ip', 'netns', 'exec', 'a', 'nft', '-f', '-'], input: 'R' },
      { cmd: ['ip', '-n', 'b', 'route', 'add', 'default', 'via', '10.10.0.1'] },
      { cmd: ['sysctl', '-w', 'x=1'] },
      { cmd: ['ip', '-n', 'b', 'netns', 'list'] },
    ]),
    [
      { cmd: ['ip', '-batch', '-'], input: 'route replace unreachable 10.10.0.0/16\nroute replace unreachable 10.20.0.0/16\nnetns add a\n' },
      { cmd: ['ip', '-n', 'a', '-batch', '-'], input: 'link set lo up\naddr add 10.10.0.1/24 dev br0\n' },
      { cmd: ['ip', '-n', 'b', '-batch', '-'], input: 'link set lo up\n' },
      { cmd: ['ip', 'netns', 'exec', 'a', 'nft', '-f', '-'], input: 'R' },
      { cmd: ['ip', '-n', 'b', '-batch', '-'], input: 'route add default via 10.10.0.1\n' },
      { cmd: ['sysctl', '-w', 'x=1'] },
      { cmd: ['ip', '-n', 'b', 'netns', 'list'] },
    ],
  )
  t.strictSame(batchSteps([{ cmd: ['ip'] }]), [{ cmd: ['ip'] }])
  t.strictSame(batchSteps([{ cmd: ['ip', '-n'] }]), [{ cmd: ['ip', '-n'] }])
})
