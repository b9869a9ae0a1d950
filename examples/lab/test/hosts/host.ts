import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { hosts, initPid, nsenterCommand } from '../../src/hosts/host.js'
import { DEFAULT_ROOTS, labLayout } from '../../src/layout.js'
import { execRunner } from '../../src/runner.js'

t.test('commands inside a host go through nsenter', async (t) => {
  t.strictSame(nsenterCommand(42, ['systemctl', 'is-system-running']), [
    'nsenter', '--target=42', '--mount', '--uts', '--ipc', '--net', '--pid', '--', 'systemctl', 'is-system-running',
  ])
})

t.test('a host that never booted: stopped, no init, exec refused, waitRunning times out', async (t) => {
  const root = await mkdtemp(`${tmpdir()}/lab-host-`)
  const layout = labLayout({ name: 'unit', slot: 250 }, { ...DEFAULT_ROOTS, cgroup: root, run: root })
  const h = hosts(layout, execRunner())
  t.equal(await h.state('db1'), 'stopped')
  t.equal(await initPid(layout, 'db1'), undefined)
  await t.rejects(h.exec('db1', ['true']), { code: 'LAB_UNKNOWN_HOST' })
  await t.rejects(h.waitRunning('db1', 200), { code: 'LAB_BOOT_TIMEOUT' }, 'the timeout')
  await t.rejects(h.waitRunning('db1', 10_000), { code: 'LAB_BOOT_TIMEOUT' }, 'a host whose cgroup stays empty 3 s has died: no need to wait longer')
  t.equal(await h.memoryBytes('db1'), 0)
})
