import t from 'tap'
import { desiredResources } from '../../../../src/targets/aws/plan/desired.js'
import type { DesiredOf } from '../../../../src/targets/aws/plan/resources.js'
import { makeStack } from '../../../fixtures/stack.js'

const stack = makeStack()
const desired = desiredResources(stack)
const sgs = new Map(desired.filter((d): d is DesiredOf<'security-group'> => d.kind === 'security-group').map((d) => [d.key, d]))
const rules = [...sgs.values()].flatMap((g) => g.ingress.map((r) => ({ ...r, group: g.key })))
const covers = (r: { fromPort: number; toPort: number }, port: number) => r.fromPort <= port && port <= r.toPort

t.test('only the ALB is open to the internet, and only on its listener port', async (t) => {
  const world = rules.filter((r) => 'cidr' in r.source && r.source.cidr === '0.0.0.0/0')
  t.same(world.map((r) => [r.group, r.fromPort, r.toPort]), [['primary/sg/alb', 80, 80]])
  t.same(sgs.get('primary/sg/alb')!.ingress.length, 1)
})

t.test('bug 9 (issue 10): PostgreSQL and Patroni only from app hosts, DB hosts and the DR host; the DR host only from the app and DB hosts (/32s, least privilege)', async (t) => {
  for (const port of [5432, 8008]) {
    const sources = rules.filter((r) => covers(r, port)).map((r) => `${r.group} <- ${'cidr' in r.source ? r.source.cidr : r.source.sg}`)
    t.same(sources, [
      'primary/sg/db <- primary/sg/app',
      'primary/sg/db <- primary/sg/db',
      'primary/sg/db <- 10.20.10.10/32',
      // the apps use the DR host after promote-dr (and during fail-back)
      'dr/sg/db <- 10.10.10.20/32',
      'dr/sg/db <- 10.10.11.20/32',
      'dr/sg/db <- 10.10.10.10/32',
      'dr/sg/db <- 10.10.11.10/32',
      'dr/sg/db <- 10.10.12.10/32',
    ], `port ${port}`)
  }
  const cidrs = rules.flatMap((r) => ('cidr' in r.source && r.source.cidr !== '0.0.0.0/0' ? [r.source.cidr] : []))
  t.ok(cidrs.every((c) => c.endsWith('/32')), 'no subnet or VPC range is allowed in, only fixed host addresses')
})

t.test('etcd only among DB hosts, SSH only from the bastion', async (t) => {
  for (const port of [2379, 2380]) {
    t.same(rules.filter((r) => covers(r, port)).map((r) => [r.group, r.source]), [['primary/sg/db', { sg: 'primary/sg/db' }]])
  }
  const ssh = rules.filter((r) => covers(r, 22))
  t.same(ssh.map((r) => [r.group, r.source]), [
    ['primary/sg/bastion', { cidr: '203.0.113.7/32' }],
    ['primary/sg/app', { sg: 'primary/sg/bastion' }],
    ['primary/sg/db', { sg: 'primary/sg/bastion' }],
    ['dr/sg/db', { cidr: '10.10.0.10/32' }],
  ])
  t.equal(sgs.get('primary/sg/app')!.ingress.filter((r) => 'sg' in r.source && r.source.sg === 'primary/sg/alb').length, 1)
})

t.test('hosts: 3 etcd members in the primary region, 1 per AZ; the DR host is apart', async (t) => {
  const hosts = desired.filter((d): d is DesiredOf<'instance'> => d.kind === 'instance')
  const db = hosts.filter((h) => h.hostRole === 'db')
  t.equal(db.length, 3)
  t.ok(db.every((h) => h.region === stack.primary.region))
  t.equal(new Set(db.map((h) => h.subnet)).size, 3)
  const dr = hosts.filter((h) => h.hostRole === 'dr-db')
  t.same(dr.map((h) => h.region), ['eu-central-1'])
  t.ok(hosts.filter((h) => h.hostRole !== 'bastion').every((h) => !h.publicIp && h.subnet.includes('private')), 'only the bastion is public')
  const app = hosts.filter((h) => h.hostRole === 'app')
  t.equal(new Set(app.map((h) => h.subnet)).size, 2, 'app hosts across AZs')
})

t.test('the listener is HTTPS when a certificate is given', async (t) => {
  const s = makeStack((x) => void (x.alb = { listenerPort: 443, certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x' }))
  const l = desiredResources(s).find((d) => d.kind === 'listener') as DesiredOf<'listener'>
  t.equal(l.certificateArn, 'arn:aws:acm:eu-west-1:1:certificate/x')
})
