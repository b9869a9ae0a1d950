import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { ensureImage } from '../../src/image/image.js'
import { bakedRecipe, recipeHash, TRIXIE } from '../../src/image/recipe.js'
import { LabError } from '../../src/lab-error.js'
import type { Command, RunOptions, Runner } from '../../src/runner.js'

// Records the commands and plays debootstrap by creating the rootfs directory it names
// (the real build runs in test/integration).
const recorder = (fail?: string) => {
  const calls: { cmd: Command; o: RunOptions | undefined }[] = []
  const runner: Runner = {
    async run(cmd, o) {
      calls.push({ cmd, o })
      if (cmd[0] === fail) throw new LabError('LAB_COMMAND_FAILED', `${fail} failed`)
      if (cmd[0] === 'debootstrap') await mkdir(cmd[4] as string, { recursive: true })
      return { code: 0, stdout: '', stderr: '' }
    },
  }
  return { calls, runner }
}

t.test('built once through the proxy, then from the cache', async (t) => {
  const imagesDir = await mkdtemp(`${tmpdir()}/lab-img-`)
  const { calls, runner } = recorder()
  const lines: string[] = []
  const a = await ensureImage({ imagesDir, recipe: TRIXIE, proxyUrl: 'http://198.18.0.1:3142', runner, log: (l) => lines.push(l) })
  const hash = recipeHash(TRIXIE)
  t.strictSame(a, { hash, rootfs: `${imagesDir}/${hash}/rootfs`, built: true })
  t.strictSame(calls.map((c) => c.cmd[0]), ['rm', 'debootstrap', 'chroot'])
  t.strictSame(calls[1]?.o, { env: { http_proxy: 'http://198.18.0.1:3142' } })
  t.match(JSON.parse(await readFile(`${imagesDir}/${hash}/recipe.json`, 'utf8')), { suite: 'trixie' })
  t.equal(lines.length, 2)
  await t.rejects(stat(`${imagesDir}/${hash}.lock`), 'the lock is released')
  const b = await ensureImage({ imagesDir, recipe: TRIXIE, proxyUrl: 'x', runner })
  t.equal(b.built, false)
  t.equal(calls.length, 3, 'nothing ran for the cached image')
})

t.test('a baked recipe runs its bake script in the chroot, apt through the proxy', async (t) => {
  const imagesDir = await mkdtemp(`${tmpdir()}/lab-img-`)
  const { calls, runner } = recorder()
  const lines: string[] = []
  const recipe = bakedRecipe(TRIXIE, 'apt-get install -y etcd-server')
  await ensureImage({ imagesDir, recipe, proxyUrl: 'http://198.18.0.1:3142', runner, log: (l) => lines.push(l) })
  t.strictSame(calls.map((c) => c.cmd[0]), ['rm', 'debootstrap', 'chroot', 'chroot'])
  t.match(calls[3]?.cmd.at(-1), /\napt-get install -y etcd-server\napt-get clean\n/)
  t.strictSame(calls[3]?.o, { env: { http_proxy: 'http://198.18.0.1:3142' } })
  t.match(lines, [/debootstrap/, /baking in what its hosts install/, /ready/])
})

t.test('a failed build is LAB_IMAGE_FAILED and leaves no image', async (t) => {
  const imagesDir = await mkdtemp(`${tmpdir()}/lab-img-`)
  const { runner } = recorder('chroot')
  await t.rejects(ensureImage({ imagesDir, recipe: TRIXIE, proxyUrl: 'x', runner }), { code: 'LAB_IMAGE_FAILED' })
  await t.rejects(stat(`${imagesDir}/${recipeHash(TRIXIE)}`))
})

t.test('a stale lock is taken over; a live one is waited for', async (t) => {
  const imagesDir = await mkdtemp(`${tmpdir()}/lab-img-`)
  const hash = recipeHash(TRIXIE)
  await writeFile(`${imagesDir}/${hash}.lock`, '999999999\n')
  t.equal((await ensureImage({ imagesDir, recipe: TRIXIE, proxyUrl: 'x', runner: recorder().runner })).built, true)

  const other = await mkdtemp(`${tmpdir()}/lab-img-`)
  const sleeper = spawn('sleep', ['30'])
  t.teardown(() => sleeper.kill('SIGKILL'))
  await writeFile(`${other}/${hash}.lock`, `${sleeper.pid}\n`)
  // the "other builder" finishes: its image appears and it drops the lock
  setTimeout(() => {
    void (async () => {
      await mkdir(`${other}/${hash}/rootfs`, { recursive: true })
      await rm(`${other}/${hash}.lock`)
    })()
  }, 300)
  const { calls, runner } = recorder()
  const img = await ensureImage({ imagesDir: other, recipe: TRIXIE, proxyUrl: 'x', runner })
  t.equal(img.built, false, 'the image the other builder made is used')
  t.equal(calls.length, 0)
})
