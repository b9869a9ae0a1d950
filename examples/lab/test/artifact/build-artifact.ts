import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { ARTIFACT_EXCLUDE, buildArtifact, defaultMtime } from '../../src/artifact/build-artifact.js'

const run = promisify(execFile)
const service = fileURLToPath(new URL('../../../hello-service', import.meta.url))

t.test('defaultMtime: SOURCE_DATE_EPOCH when it is a positive integer, else 2000-01-01', async (t) => {
  t.equal(defaultMtime({ SOURCE_DATE_EPOCH: '1700000000' }).toISOString(), '2023-11-14T22:13:20.000Z')
  t.equal(defaultMtime({ SOURCE_DATE_EPOCH: 'x' }).toISOString(), '2000-01-01T00:00:00.000Z')
  t.equal(defaultMtime({}).toISOString(), '2000-01-01T00:00:00.000Z')
  t.type(defaultMtime(), Date)
})

t.test('the hello service artifact: reproducible, main.js at its root, its module graph loads without the workspace', async (t) => {
  const d = t.testdir({ one: {}, two: {}, x: {} })
  const a = await buildArtifact({ serviceDir: service, outDir: join(d, 'one') })
  const b = await buildArtifact({ serviceDir: service, outDir: join(d, 'two') })
  t.equal(a.sha256, b.sha256, 'two builds of the same tree give the same checksum')
  t.match(a.sha256, /^[0-9a-f]{64}$/)
  t.equal(a.version, a.sha256.slice(0, 12))
  t.match(a.file, new RegExp(`hello-service-${a.version}\\.tar\\.gz$`))
  t.same(await readdir(join(d, 'one')), [`hello-service-${a.version}.tar.gz`], 'no temporary file left')
  await run('tar', ['-xzf', a.file, '-C', join(d, 'x')])
  const x = join(d, 'x')
  t.ok((await stat(join(x, 'main.js'))).isFile())
  t.equal(await readFile(join(x, 'main.js'), 'utf8'), "import './dist/main.js'\n")
  t.ok((await stat(join(x, 'openapi.json'))).isFile(), 'the service reads ../openapi.json from dist/ (found on the lab: ENOENT, the app exited)')
  t.notOk(a.packages.some((p) => p.name in ARTIFACT_EXCLUDE))
  t.ok(a.packages.some((p) => p.name === '@birthday-ha/ha-pg-client' && p.workspace))
  const { stdout: listing } = await run('tar', ['-tzvf', a.file])
  const ours = listing.split('\n').filter((l) => !/ node_modules\/(?!@birthday-ha\/)/.test(l)).join('\n')
  t.notMatch(ours, /\.map$|\.d\.ts$|tsbuildinfo/m, 'only the .js of the workspace packages\' dist/')
  t.notMatch(listing, / (?!0\/0 )\S+\/\S+ +\d+ /, 'every entry is owned by 0/0')
  t.match(listing, /2000-01-01 00:00/)
  // The whole module graph of the service (not main.js: it would start listening) loads from the artifact alone.
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', "await import('./dist/service.js'); await import('pg'); console.log('loaded')"], { cwd: x })
  t.equal(stdout.trim(), 'loaded')
})

t.test('a workspace dependency ships as package.json and the .js of dist/; a registry one as a whole', async (t) => {
  const d = t.testdir({
    svc: { 'package.json': JSON.stringify({ name: 'svc', version: '1.0.0', dependencies: { '@x/core': '1', dropped: '1' } }), dist: { 'main.js': 'export {}\n', 'main.js.map': '{}' } },
    core: { 'package.json': JSON.stringify({ name: '@x/core', version: '0.1.0', dependencies: { reg: '1' } }), dist: { 'index.js': 'export {}\n', 'index.d.ts': '' }, src: { 'index.ts': '' } },
    node_modules: { reg: { 'package.json': JSON.stringify({ name: 'reg', version: '2.0.0' }), 'bin.js': '#!/bin/sh\n', 'README.md': 'r' } },
    out: {}, x: {},
  })
  await mkdir(join(d, 'node_modules/@x'), { recursive: true })
  const { chmod, symlink } = await import('node:fs/promises')
  await symlink(join(d, 'core'), join(d, 'node_modules/@x/core'))
  await chmod(join(d, 'node_modules/reg/bin.js'), 0o700)
  await symlink('bin.js', join(d, 'node_modules/reg/link'))
  const a = await buildArtifact({ serviceDir: join(d, 'svc'), outDir: join(d, 'out'), exclude: { dropped: 'test' }, mtime: new Date('2020-01-01T00:00:00Z') })
  await run('tar', ['-xzf', a.file, '-C', join(d, 'x')])
  const { stdout } = await run('tar', ['-tzvf', a.file])
  const lines = stdout.trim().split('\n').map((l) => { const f = l.split(/\s+/); return `${f[0]} ${f[5]}` })
  t.strictSame(lines, [
    'drwxr-xr-x dist/',
    '-rw-r--r-- dist/main.js',
    '-rw-r--r-- main.js',
    'drwxr-xr-x node_modules/',
    'drwxr-xr-x node_modules/@x/',
    'drwxr-xr-x node_modules/@x/core/',
    'drwxr-xr-x node_modules/@x/core/dist/',
    '-rw-r--r-- node_modules/@x/core/dist/index.js',
    '-rw-r--r-- node_modules/@x/core/package.json',
    'drwxr-xr-x node_modules/reg/',
    '-rw-r--r-- node_modules/reg/README.md',
    '-rwxr-xr-x node_modules/reg/bin.js',
    'lrwxr-xr-x node_modules/reg/link',
    '-rw-r--r-- node_modules/reg/package.json',
    '-rw-r--r-- package.json',
  ])
  const { readFile, readlink } = await import('node:fs/promises')
  t.equal(await readlink(join(d, 'x/node_modules/reg/link')), 'bin.js', 'a symlink keeps its relative target')
  t.strictSame(JSON.parse(await readFile(join(d, 'x/package.json'), 'utf8')), { name: 'svc', version: '1.0.0', private: true, type: 'module', main: 'main.js', dependencies: { '@x/core': '1' } })
})

t.test('a service with no dependencies', async (t) => {
  const d = t.testdir({ svc: { 'package.json': JSON.stringify({ name: 'svc', version: '1.0.0' }), dist: { 'main.js': '' } }, out: {} })
  const a = await buildArtifact({ serviceDir: join(d, 'svc'), outDir: join(d, 'out') })
  t.strictSame(a.packages, [])
})
