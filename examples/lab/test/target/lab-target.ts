import t from 'tap'
import type { Stack } from '@birthday-ha/provisioner'
import type { Lab, LabMachine } from '../../src/lab.js'
import { labTarget } from '../../src/target/lab-target.js'

const stack = { name: 'bday-lab', alb: { listenerPort: 80, deregistrationDelaySeconds: 5 }, app: { port: 8080 } } as unknown as Stack

// The parts of the Lab interface (src/lab.ts) these tests touch, answering as its TSDoc says.
function fakeLab(machines: LabMachine[]): Lab & { downs: number } {
  const hosts = [
    { name: 'bastion', role: 'bastion', ip: '10.10.0.10' },
    { name: 'app1', role: 'app', ip: '10.10.10.20' },
    { name: 'app2', role: 'app', ip: '10.10.11.20' },
    { name: 'edge', role: 'edge', ip: '10.10.0.20' },
  ]
  const lab = {
    downs: 0,
    plan: { hosts, published: [{ host: 'bastion', publicIp: '198.18.0.100', ip: '10.10.0.10', ports: [22] }, { host: 'edge', publicIp: '198.18.0.80', ip: '10.10.0.20', ports: [80] }] },
    layout: { id: { name: 'lab', slot: 0 }, stateDir: t.testdir() },
    host: (name: string) => hosts.find((h) => h.name === name)!,
    machines: async () => machines,
    down: async () => void lab.downs++,
  }
  return lab as unknown as Lab & { downs: number }
}

const m = (name: string, role: LabMachine['role'], state: LabMachine['state']): LabMachine => ({ name, role, ip: `10.0.0.${name.length}`, publicIp: undefined, state })

t.test('plan: a missing host is created, a stopped or frozen one booted, a running one kept', async (t) => {
  const target = labTarget({ lab: fakeLab([m('db1', 'db', 'missing'), m('db2', 'db', 'stopped'), m('db3', 'db', 'frozen'), m('app1', 'app', 'running')]) })
  const plan = await target.infrastructure.plan(stack)
  t.strictSame(plan.items.map((i) => [i.key, i.action]), [['lab/host/db1', 'create'], ['lab/host/db2', 'update'], ['lab/host/db3', 'update'], ['lab/host/app1', 'keep']])
  t.strictSame(plan.summary, { create: 1, update: 2, replace: 0, keep: 1, delete: 0 })
  t.match(plan.items[1]!.changes, ['stopped: boot it'])
  t.equal(plan.stack, 'bday-lab')
  t.equal(target.kind, 'lab')
  t.equal(target.lastEdge, undefined)
})

t.test('machines: the stack\'s hosts only (no edge), frozen reads as running like a hung instance', async (t) => {
  const target = labTarget({ lab: fakeLab([m('db1', 'db', 'frozen'), m('db2', 'db', 'stopped'), m('dr1', 'dr-db', 'missing'), m('edge', 'edge', 'running')]) })
  t.strictSame((await target.infrastructure.machines(stack)).map((x) => [x.name, x.role, x.state, x.id]), [
    ['db1', 'db', 'running', 'lab/db1'], ['db2', 'db', 'stopped', 'lab/db2'], ['dr1', 'dr-db', 'missing', 'lab/dr1'],
  ])
})

t.test('destroy refuses without confirm, then removes every host that exists', async (t) => {
  const lab = fakeLab([m('db1', 'db', 'running'), m('db2', 'db', 'missing')])
  const target = labTarget({ lab, maxWaitMs: 1_000 })
  await t.rejects(target.infrastructure.destroy(stack, { confirm: false }), { code: 'PROV_NOT_CONFIRMED' })
  t.equal(lab.downs, 0)
  t.strictSame(await target.infrastructure.destroy(stack, { confirm: true }), ['db1'])
  t.equal(lab.downs, 1)
  await target.close()
  await target[Symbol.asyncDispose]()
  t.pass('close is idempotent')
})

t.test('the load balancer\'s URL is the edge\'s public address; secrets live in the lab\'s state dir', async (t) => {
  const lab = fakeLab([])
  const target = labTarget({ lab })
  t.equal(await target.loadBalancer.url(stack), 'http://198.18.0.80:80')
  const secrets = await target.secrets.ensure(stack)
  t.equal(Object.keys(secrets).length, 5)
  t.strictSame({ ...await target.secrets.read(stack) }, { ...secrets })
})
