import t from 'tap'
import { DEFAULT_ROOTS, labLayout, validLabId } from '../src/layout.js'

t.test('paths and names of a lab', async (t) => {
  const l = labLayout({ name: 'lab', slot: 0 })
  t.equal(l.runDir, '/run/birthday-ha-lab/lab')
  t.equal(l.stateDir, '/var/lib/birthday-ha-lab/lab')
  t.equal(l.imagesDir, '/var/cache/birthday-ha-lab/images')
  t.equal(l.aptCacheDir, '/var/cache/birthday-ha-lab/apt-cacher-ng/lab')
  t.equal(l.filesDir, '/var/cache/birthday-ha-lab/files')
  t.equal(l.sshDir, '/var/lib/birthday-ha-lab/lab/ssh')
  t.equal(l.hostDir('db1'), '/var/lib/birthday-ha-lab/lab/hosts/db1')
  t.equal(l.hostRoot('db1'), '/var/lib/birthday-ha-lab/lab/hosts/db1/root')
  t.equal(l.hostPidFile('db1'), '/run/birthday-ha-lab/lab/db1.pid')
  t.equal(l.hostConsole('db1'), '/run/birthday-ha-lab/lab/db1.console')
  t.equal(l.hostNs('db1'), 'bhl-lab-db1')
  t.strictSame(l.cgroups('db1'), {
    unified: '/sys/fs/cgroup/unified/birthday-ha-lab/lab/db1',
    systemd: '/sys/fs/cgroup/systemd/birthday-ha-lab/lab/db1',
    memory: '/sys/fs/cgroup/memory/birthday-ha-lab/lab/db1',
  })
  t.equal(l.cgroupRoots.unified, '/sys/fs/cgroup/unified/birthday-ha-lab/lab')
  t.equal(labLayout({ name: 'x', slot: 1 }, { ...DEFAULT_ROOTS, run: '/tmp/r' }).runDir, '/tmp/r/x')
})

t.test('lab ids: short names (interface names are 15 chars at most) and a slot of the lab range', async (t) => {
  t.ok(validLabId({ name: 'lab', slot: 0 }))
  t.ok(validLabId({ name: 'abcdefghijk', slot: 255 }))
  t.notOk(validLabId({ name: 'abcdefghijkl', slot: 0 }), '12 chars: bhl-<name> would not fit IFNAMSIZ')
  t.notOk(validLabId({ name: '1lab', slot: 0 }))
  t.notOk(validLabId({ name: 'la-b', slot: 0 }))
  t.notOk(validLabId({ name: 'lab', slot: 256 }))
  t.notOk(validLabId({ name: 'lab', slot: 1.5 }))
  t.notOk(validLabId({ name: 'lab', slot: -1 }))
})
