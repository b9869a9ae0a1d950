import t from 'tap'
import { NSPAWN_ENV, nspawnCommand } from '../../src/hosts/nspawn.js'

t.test('nspawn boots systemd in the host\'s namespace, unregistered, keeping the unit', async (t) => {
  t.strictSame(nspawnCommand({ name: 'db1', root: '/d/root', ns: 'bhl-lab-db1', binds: [{ source: '/repo', target: '/var/lib/pgbackrest-repo' }] }), [
    'systemd-nspawn', '--boot', '--directory=/d/root', '--machine=db1', '--network-namespace-path=/run/netns/bhl-lab-db1',
    '--register=no', '--keep-unit', '--console=read-only', '--resolv-conf=off', '--timezone=off', '--link-journal=no',
    '--bind=/repo:/var/lib/pgbackrest-repo',
  ])
  t.equal(nspawnCommand({ name: 'a', root: '/r', ns: 'n' }).length, 11)
  t.strictSame(NSPAWN_ENV, { SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' })
})
