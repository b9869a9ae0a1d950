import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { checkLayout, collectPackages, resolvePackageDir } from '../../src/artifact/collect.js'

// A workspace-like tree: /root (the service), /root/node_modules/* (hoisted), nested versions.
async function pkg(dir: string, name: string, version: string, deps: Record<string, string> = {}, optional: Record<string, string> = {}): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version, ...(Object.keys(deps).length > 0 && { dependencies: deps }), ...(Object.keys(optional).length > 0 && { optionalDependencies: optional }) }))
  await writeFile(join(dir, 'index.js'), `export default ${JSON.stringify(name)}\n`)
}

t.test('hoists to the top, nests a second version under the package that needs it', async (t) => {
  const root = t.testdir()
  await pkg(root, 'svc', '1.0.0', { a: '1', b: '1', excluded: '1' }, { 'not-installed': '1' })
  await pkg(join(root, 'node_modules/a'), 'a', '1.0.0', { c: '1' }, { 'opt-missing': '1' })
  await pkg(join(root, 'node_modules/b'), 'b', '1.0.0', { c: '2' })
  await pkg(join(root, 'node_modules/b/node_modules/c'), 'c', '2.0.0')
  await pkg(join(root, 'node_modules/c'), 'c', '1.0.0')
  const copies = await collectPackages(root, { exclude: { excluded: 'not needed' } })
  t.strictSame(copies.map((c) => [c.to, c.version, c.workspace]), [
    ['node_modules/a', '1.0.0', false],
    ['node_modules/b', '1.0.0', false],
    ['node_modules/b/node_modules/c', '2.0.0', false],
    ['node_modules/c', '1.0.0', false],
  ])
})

t.test('a workspace package (not under node_modules) is marked, and its own nested deps follow it', async (t) => {
  const root = t.testdir()
  await pkg(join(root, 'svc'), 'svc', '1.0.0', { '@x/core': '1' })
  await pkg(join(root, 'core'), '@x/core', '0.1.0', { u: '7' })
  await pkg(join(root, 'core/node_modules/u'), 'u', '7.0.0')
  await mkdir(join(root, 'node_modules/@x'), { recursive: true })
  const { symlink } = await import('node:fs/promises')
  await symlink(join(root, 'core'), join(root, 'node_modules/@x/core'))
  const copies = await collectPackages(join(root, 'svc'))
  t.strictSame(copies.map((c) => [c.to, c.workspace]), [['node_modules/@x/core', true], ['node_modules/u', false]])
})

t.test('the same package needed twice is copied once', async (t) => {
  const root = t.testdir()
  await pkg(root, 'svc', '1.0.0', { a: '1', b: '1' })
  await pkg(join(root, 'node_modules/a'), 'a', '1.0.0', { c: '1' })
  await pkg(join(root, 'node_modules/b'), 'b', '1.0.0', { c: '1' })
  await pkg(join(root, 'node_modules/c'), 'c', '1.0.0')
  t.equal((await collectPackages(root)).length, 3)
})

t.test('a nested second version needed by two packages is copied under each', async (t) => {
  const root = t.testdir()
  await pkg(root, 'svc', '1.0.0', { a: '1', b: '1', c: '1' })
  await pkg(join(root, 'node_modules/c'), 'c', '1.0.0')
  for (const n of ['a', 'b']) {
    await pkg(join(root, `node_modules/${n}`), n, '1.0.0', { c: '2', d: '1' })
    await pkg(join(root, `node_modules/${n}/node_modules/c`), 'c', '2.0.0')
  }
  await pkg(join(root, 'node_modules/d'), 'd', '1.0.0', { c: '1' })
  const copies = await collectPackages(root)
  t.strictSame(copies.map((c) => c.to), ['node_modules/a', 'node_modules/a/node_modules/c', 'node_modules/b', 'node_modules/b/node_modules/c', 'node_modules/c', 'node_modules/d'])
})

t.test('checkLayout rejects a layout where Node would load another copy than the workspace does', async (t) => {
  const root = t.testdir()
  await pkg(root, 'svc', '1.0.0', { a: '1', c: '1' })
  await pkg(join(root, 'node_modules/c'), 'c', '1.0.0')
  await pkg(join(root, 'node_modules/a'), 'a', '1.0.0', { c: '2' })
  await pkg(join(root, 'node_modules/a/node_modules/c'), 'c', '2.0.0')
  const { realpath } = await import('node:fs/promises')
  const r = await realpath(root)
  const a = { name: 'a', version: '1.0.0', from: join(r, 'node_modules/a'), to: 'node_modules/a', workspace: false }
  const c1 = { name: 'c', version: '1.0.0', from: join(r, 'node_modules/c'), to: 'node_modules/c', workspace: false }
  // c@2 left out: a would load c@1 from the top.
  await t.rejects(checkLayout(r, [a, c1], {}), /node_modules\/a would load c from node_modules\/c, not .*node_modules\/a\/node_modules\/c/)
  // c left out entirely: the root would load it from nowhere.
  await t.rejects(checkLayout(r, [a], { }), /the root would load a from node_modules\/a|the root would load c from nowhere/)
  await t.resolves(checkLayout(r, [a, c1, { ...c1, version: '2.0.0', from: join(r, 'node_modules/a/node_modules/c'), to: 'node_modules/a/node_modules/c' }], {}))
  await t.resolves(checkLayout(r, [a], { c: 'left out' }).catch(() => 'a needs c too'))
})

t.test('a missing required dependency says to run npm ci', async (t) => {
  const root = t.testdir()
  await pkg(root, 'svc', '1.0.0', { gone: '1' })
  await t.rejects(collectPackages(root), /svc: dependency gone is not installed \(run npm ci\)/)
})

t.test('resolvePackageDir walks up to the file system root', async (t) => {
  t.equal(await resolvePackageDir('surely-not-a-package-xyz', t.testdir()), undefined)
})
