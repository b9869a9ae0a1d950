import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { LabError } from '../lab-error.js'
import type { Runner } from '../runner.js'
import { bakeScript, configureScript, debootstrapCommand, recipeHash, type ImageRecipe } from './recipe.js'

/** A built base image: a read-only rootfs every host's disk lays its own layer on. */
export interface BaseImage {
  readonly hash: string
  readonly rootfs: string
  /** Whether this call built it (false: it came from the cache). */
  readonly built: boolean
}

/** Options of {@link ensureImage}. */
export interface EnsureImageOptions {
  readonly imagesDir: string
  readonly recipe: ImageRecipe
  /** `http://ip:port` of the apt proxy debootstrap fetches through. */
  readonly proxyUrl: string
  readonly runner: Runner
  readonly log?: (line: string) => void
}

const isDir = (p: string): Promise<boolean> => stat(p).then((s) => s.isDirectory(), () => false)

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Take `lock` (O_EXCL file with our PID); a lock whose PID is gone is taken over. */
async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const h = await open(lock, 'wx')
      await h.writeFile(`${process.pid}\n`)
      await h.close()
      break
    } catch {
      const owner = Number.parseInt(await readFile(lock, 'utf8').catch(() => ''), 10)
      if (!(Number.isInteger(owner) && pidAlive(owner))) await rm(lock, { force: true })
      else await new Promise((r) => setTimeout(r, 500))
    }
  }
  try {
    return await fn()
  } finally {
    await rm(lock, { force: true })
  }
}

/**
 * The base image of `recipe`, from the cache (`<imagesDir>/<hash>/rootfs`)
 * or built: debootstrap through the lab's apt proxy, then the recipe's
 * configure script in a chroot, then its bake script, if any (apt through the proxy too). Built under a lock into a scratch directory
 * and renamed into place, so a half-built image is never used.
 */
export async function ensureImage(o: EnsureImageOptions): Promise<BaseImage> {
  const hash = recipeHash(o.recipe)
  const dir = `${o.imagesDir}/${hash}`
  const rootfs = `${dir}/rootfs`
  if (await isDir(rootfs)) return { hash, rootfs, built: false }
  await mkdir(o.imagesDir, { recursive: true })
  return withLock(`${o.imagesDir}/${hash}.lock`, async () => {
    if (await isDir(rootfs)) return { hash, rootfs, built: false }
    const scratch = `${o.imagesDir}/${hash}.building`
    await o.runner.run(['rm', '-rf', '--one-file-system', scratch])
    await mkdir(scratch, { recursive: true })
    o.log?.(`image ${hash}: debootstrap ${o.recipe.suite}`)
    try {
      await o.runner.run(debootstrapCommand(o.recipe, `${scratch}/rootfs`), { env: { http_proxy: o.proxyUrl } })
      await o.runner.run(['chroot', `${scratch}/rootfs`, 'sh', '-c', configureScript(o.recipe)])
      const bake = bakeScript(o.recipe)
      if (bake !== undefined) {
        o.log?.(`image ${hash}: baking in what its hosts install`)
        await o.runner.run(['chroot', `${scratch}/rootfs`, 'sh', '-c', bake], { env: { http_proxy: o.proxyUrl } })
      }
    } catch (cause) {
      throw new LabError('LAB_IMAGE_FAILED', `building the ${o.recipe.suite} image failed`, { cause, details: { scratch } })
    }
    await writeFile(`${scratch}/recipe.json`, JSON.stringify(o.recipe, null, 2) + '\n')
    await rename(scratch, dir)
    o.log?.(`image ${hash}: ready`)
    return { hash, rootfs, built: true }
  })
}
