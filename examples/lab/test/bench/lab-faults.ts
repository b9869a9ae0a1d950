import t from 'tap'
import { labFaults } from '../../src/bench/lab-faults.js'
import type { LabHost } from '../../src/network/network-plan.js'
import type { Command, Runner, RunOptions } from '../../src/runner.js'

const host = (name: string, ip: string): LabHost => ({ name, role: name.startsWith('db') ? 'db' : 'app', vpc: 'primary', ip, prefix: 24, gateway: ip.replace(/\.\d+$/, '.1'), ns: `bhl-t-${name}`, port: `v-${name}` })
const hosts = [host('db1', '10.10.10.10'), host('db2', '10.10.11.10'), host('db3', '10.10.12.10'), host('app1', '10.10.10.20'), host('edge', '10.10.0.30')]

function recorder(): Runner & { calls: { cmd: Command; input?: string }[] } {
  const calls: { cmd: Command; input?: string }[] = []
  return { calls, run: async (cmd: Command, o: RunOptions = {}) => (calls.push({ cmd, ...(o.input === undefined ? {} : { input: o.input }) }), { code: 0, stdout: '', stderr: '' }) }
}
const leader = { name: 'db2', host: '10.10.11.10', port: 5432, apiUrl: 'http://10.10.11.10:8008' }

t.test('partition: the leader loses the other DB hosts only; the app hosts still reach it', async (t) => {
  const r = recorder()
  const [partition] = labFaults(r, hosts, ['db1', 'db2', 'db3'], () => 42)
  t.equal(partition?.name, 'partition')
  const injected = await partition!.inject(leader)
  t.equal(injected.at, 42, 'the fault is timed just before the rules go in')
  const rules = r.calls.at(-1)!
  t.strictSame(rules.cmd, ['ip', 'netns', 'exec', 'bhl-t-db2', 'nft', '-f', '-'], "in the leader's own namespace")
  t.match(rules.input, /ip saddr \{ 10\.10\.10\.10, 10\.10\.12\.10 \} drop/)
  t.notMatch(rules.input, /10\.10\.10\.20|10\.10\.11\.10/, 'neither app1 nor the leader itself')
  r.calls.length = 0
  await injected.undo!()
  t.strictSame(r.calls.map((c) => c.cmd), [['ip', 'netns', 'exec', 'bhl-t-db2', 'nft', 'delete', 'table', 'inet', 'lab-fault']], 'undone by a heal')
})

t.test('blackhole: the leader loses every host, the app hosts and the load balancer too', async (t) => {
  const r = recorder()
  const blackhole = labFaults(r, hosts, ['db1', 'db2', 'db3'])[1]!
  t.equal(blackhole.name, 'blackhole')
  await blackhole.inject(leader)
  t.match(r.calls.at(-1)?.input, /ip daddr \{ 10\.10\.10\.10, 10\.10\.12\.10, 10\.10\.10\.20, 10\.10\.0\.30 \} drop/)
  await t.rejects(blackhole.inject({ ...leader, name: 'db9' }), /no lab host db9/)
})
