import t from 'tap'
import { sshClientConfig } from '../../src/hosts/ssh-config.js'
import { networkPlan } from '../../src/network/network-plan.js'
import { labStack } from '../helpers/stack.js'

t.test('the bastion by its public address, the others through it', async (t) => {
  const p = networkPlan(await labStack(), { name: 'lab', slot: 2 })
  const c = sshClientConfig(p, { user: 'admin', identityFile: '/k', knownHosts: '/kh' })
  t.match(c, 'Host bastion\n  HostName 198.18.2.100\n')
  t.match(c, 'Host db1 10.10.10.10\n  HostName 10.10.10.10\n  ProxyJump bastion\n')
  t.match(c, 'Host *\n  User admin\n  IdentityFile /k\n  IdentitiesOnly yes\n  UserKnownHostsFile /kh\n  StrictHostKeyChecking yes\n')
  t.match(sshClientConfig({ ...p, published: [] }, { user: 'u', identityFile: '/k', knownHosts: '/kh' }), 'Host bastion\n  HostName \n')
})
