import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { listTree, packReproducible, sha256File } from '../../src/artifact/pack.js'

async function tree(dir: string): Promise<void> {
  await mkdir(join(dir, 'b/inner'), { recursive: true })
  await writeFile(join(dir, 'b/inner/x.js'), 'x')
  await writeFile(join(dir, 'a.js'), 'a')
  await writeFile(join(dir, 'B.js'), 'B')
}

t.test('listTree lists directories and files, sorted by code unit', async (t) => {
  const d = t.testdir()
  await tree(d)
  t.strictSame(await listTree(d), ['B.js', 'a.js', 'b', 'b/inner', 'b/inner/x.js'])
})

t.test('the same tree packed twice, in different places and at different times, gives the same bytes', async (t) => {
  const d = t.testdir({ one: {}, two: {}, out: {} })
  await tree(join(d, 'one'))
  await new Promise((r) => setTimeout(r, 1100)) // other mtimes on disk
  await tree(join(d, 'two'))
  const mtime = new Date('2000-01-01T00:00:00Z')
  await packReproducible(join(d, 'one'), join(d, 'out/1.tgz'), mtime)
  await packReproducible(join(d, 'two'), join(d, 'out/2.tgz'), mtime)
  t.equal(await sha256File(join(d, 'out/1.tgz')), await sha256File(join(d, 'out/2.tgz')))
  t.not((await readFile(join(d, 'out/1.tgz'))).readUInt32LE(4), 1, 'gzip header mtime is 0')
  t.equal((await readFile(join(d, 'out/1.tgz'))).readUInt32LE(4), 0)
  await packReproducible(join(d, 'two'), join(d, 'out/3.tgz'), new Date('2001-01-01T00:00:00Z'))
  t.not(await sha256File(join(d, 'out/3.tgz')), await sha256File(join(d, 'out/1.tgz')), 'the mtime is in the archive')
})

t.test('sha256File is the hex SHA-256', async (t) => {
  const d = t.testdir({ f: 'abc' })
  t.equal(await sha256File(join(d, 'f')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
})
