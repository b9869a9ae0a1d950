import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { mountsUnder, newMachineId, overlayMountCommand, writeIdentity } from '../../src/hosts/disk.js'
import { networkPlan } from '../../src/network/network-plan.js'
import { execRunner } from '../../src/runner.js'
import { labStack } from '../helpers/stack.js'

t.test('the overlay mount of a disk', async (t) => {
  t.strictSame(overlayMountCommand({ dir: '/d', lower: '/img/rootfs' }), [
    'mount', '-t', 'overlay', 'overlay', '-o', 'lowerdir=/img/rootfs,upperdir=/d/upper,workdir=/d/work', '/d/root',
  ])
  t.match(newMachineId(), /^[0-9a-f]{32}$/)
  t.not(newMachineId(), newMachineId())
})

t.test('mount points under a prefix, with mountinfo\'s octal escapes decoded', async (t) => {
  const dir = await mkdtemp(`${tmpdir()}/lab-disk-`)
  await writeFile(`${dir}/mountinfo`, [
    '36 25 0:32 / /var/lib/lab/hosts/db1/root rw - overlay overlay rw',
    '37 36 0:33 / /var/lib/lab/hosts/db1/root/a\\040b rw - tmpfs tmpfs rw',
    '38 25 0:34 / /var/lib/lab/hosts/db10 rw - tmpfs tmpfs rw',
    '',
  ].join('\n'))
  t.strictSame(await mountsUnder('/var/lib/lab/hosts/db1/root', `${dir}/mountinfo`), ['/var/lib/lab/hosts/db1/root', '/var/lib/lab/hosts/db1/root/a b'])
  t.strictSame(await mountsUnder('/var/lib/lab/hosts/db1', `${dir}/mountinfo`), ['/var/lib/lab/hosts/db1/root', '/var/lib/lab/hosts/db1/root/a b'])
})

t.test('identity: written once, with host keys of its own', async (t) => {
  const p = networkPlan(await labStack(), { name: 'lab', slot: 0 })
  const root = await mkdtemp(`${tmpdir()}/lab-root-`)
  await mkdir(`${root}/etc/ssh`, { recursive: true })
  await writeFile(`${root}/etc/passwd`, 'root:x:0:0:root:/root:/bin/bash\nadmin:x:1000:1000::/home/admin:/bin/bash\n')
  const i = { host: p.hosts[1]!, hosts: p.hosts, proxyUrl: 'http://198.18.0.1:3142', authorizedKey: 'ssh-ed25519 AAAA lab', user: 'admin' }
  const keys = await writeIdentity(execRunner(), root, i)
  t.equal(keys.length, 2)
  t.match(keys[0], /^ssh-ed25519 /)
  t.match(keys[1], /^ecdsa-sha2-nistp256 /)
  t.equal(await readFile(`${root}/etc/hostname`, 'utf8'), 'db1\n')
  const id = await readFile(`${root}/etc/machine-id`, 'utf8')
  const st = await stat(`${root}/home/admin/.ssh/authorized_keys`)
  t.strictSame([st.uid, st.gid, st.mode & 0o777], [1000, 1000, 0o600])
  t.strictSame(await writeIdentity(execRunner(), root, i), keys, 'a second call changes nothing')
  t.equal(await readFile(`${root}/etc/machine-id`, 'utf8'), id)
})

t.test('an image without the login user is refused', async (t) => {
  const p = networkPlan(await labStack(), { name: 'lab', slot: 0 })
  const root = await mkdtemp(`${tmpdir()}/lab-root-`)
  await mkdir(`${root}/etc`, { recursive: true })
  await writeFile(`${root}/etc/passwd`, 'root:x:0:0:root:/root:/bin/bash\n')
  await t.rejects(writeIdentity(execRunner(), root, { host: p.hosts[0]!, hosts: p.hosts, proxyUrl: 'x', authorizedKey: 'k', user: 'admin' }), { code: 'LAB_IMAGE_FAILED' })
})
