import t from 'tap'
import { etcHosts, identityFiles, knownHostsLines } from '../../src/hosts/identity.js'
import { networkPlan } from '../../src/network/network-plan.js'
import { labStack } from '../helpers/stack.js'

t.test('a host\'s identity files', async (t) => {
  const p = networkPlan(await labStack(), { name: 'lab', slot: 0 })
  const db1 = p.hosts[1]!
  const files = identityFiles({ host: db1, hosts: p.hosts, machineId: 'ab'.repeat(16), proxyUrl: 'http://198.18.0.1:3142', authorizedKey: 'ssh-ed25519 AAA x\n', user: 'admin' })
  const by = new Map(files.map((f) => [f.path, f]))
  t.equal(by.get('/etc/hostname')?.content, 'db1\n')
  t.equal(by.get('/etc/machine-id')?.content, `${'ab'.repeat(16)}\n`)
  t.match(by.get('/etc/hosts')?.content, '10.10.10.10\tdb1\n')
  t.match(by.get('/etc/apt/apt.conf.d/01lab-proxy')?.content, 'Acquire::http::Proxy "http://198.18.0.1:3142";')
  t.strictSame(by.get('/home/admin/.ssh/authorized_keys'), { path: '/home/admin/.ssh/authorized_keys', content: 'ssh-ed25519 AAA x\n', mode: 0o600, userOwned: true })
  t.match(etcHosts(p.hosts), /^127\.0\.0\.1\tlocalhost\n/)
  t.match(etcHosts(p.hosts), '10.20.10.10\tdr1\n10.10.0.20\tedge\n')
})

t.test('known_hosts lines drop the key comment', async (t) => {
  t.strictSame(knownHostsLines(['bastion', '10.10.0.10'], ['ssh-ed25519 AAAA root@x', 'ssh-rsa BBBB']), [
    'bastion,10.10.0.10 ssh-ed25519 AAAA',
    'bastion,10.10.0.10 ssh-rsa BBBB',
  ])
})
