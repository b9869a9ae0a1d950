import t from 'tap'
import { ensurePackages, ensureSystemPackages, SYSTEM_PACKAGES, type PackageDeps } from '../src/system-packages.js'

const fake = (present: (path: string) => boolean, isRoot: boolean, fail = false) => {
  const runs: string[] = []
  const logs: string[] = []
  const deps: PackageDeps = {
    exists: async (path) => present(path),
    isRoot: () => isRoot,
    run: async (command, args) => {
      runs.push([command, ...args].join(' '))
      if (fail) throw new Error('E: Unable to locate package patroni')
    },
    log: (line) => logs.push(line),
  }
  return { deps, runs, logs }
}

t.test('does nothing when every package is there', async (t) => {
  const { deps, runs } = fake(() => true, false)
  await ensurePackages(deps)
  t.strictSame(runs, [])
})

t.test('installs the missing ones with apt-get when root (update first)', async (t) => {
  const { deps, runs, logs } = fake((path) => path !== SYSTEM_PACKAGES.patroni && path !== SYSTEM_PACKAGES.haproxy, true)
  await ensurePackages(deps)
  t.strictSame(runs, [
    'apt-get -o DPkg::Lock::Timeout=300 update',
    'apt-get -o DPkg::Lock::Timeout=300 install -y postgresql patroni etcd-server etcd-client haproxy',
  ])
  t.strictSame(logs, ['installing patroni, haproxy with apt-get'])
})

t.test('not root: one-line instruction naming the packages', async (t) => {
  const { deps, runs } = fake((path) => path !== SYSTEM_PACKAGES['etcd-server'], false)
  await t.rejects(ensurePackages(deps), {
    code: 'LC_MISSING_PACKAGES',
    message: 'missing etcd-server; install them with: sudo apt-get update && sudo apt-get install -y postgresql patroni etcd-server etcd-client haproxy',
  })
  t.strictSame(runs, [])
})

t.test('apt-get failing keeps the cause', async (t) => {
  const { deps } = fake(() => false, true, true)
  const err = await ensurePackages(deps).catch((e: unknown) => e)
  t.match(err, { code: 'LC_MISSING_PACKAGES', message: /apt-get install -y .* failed: E: Unable to locate package patroni/ })
  t.match((err as Error).cause, { message: /Unable to locate/ })
})

t.test('the real check passes on this machine (the packages are installed or get installed)', async (t) => {
  await ensureSystemPackages()
  t.pass('installed')
})
