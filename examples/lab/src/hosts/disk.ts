import { randomBytes } from 'node:crypto'
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { LabError } from '../lab-error.js'
import type { Runner } from '../runner.js'
import { identityFiles, type IdentityInput } from './identity.js'

/** One host's disk: an overlayfs (lower = the base image, upper = the host's own directory). */
export interface DiskPaths {
  readonly dir: string
  readonly lower: string
}

const MARKER = '/etc/birthday-ha-lab-identity'
const HOST_KEY_TYPES = ['ed25519', 'ecdsa'] as const

/** Mount points under `prefix`, from `/proc/self/mountinfo` (field 5, octal escapes decoded). */
export async function mountsUnder(prefix: string, mountinfo = '/proc/self/mountinfo'): Promise<string[]> {
  const text = await readFile(mountinfo, 'utf8')
  return text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined)
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))))
    .filter((m) => m === prefix || m.startsWith(prefix + '/'))
}

/** The overlay mount command of a disk. */
export function overlayMountCommand(d: DiskPaths): string[] {
  return ['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${d.lower},upperdir=${d.dir}/upper,workdir=${d.dir}/work`, `${d.dir}/root`]
}

/** Mount the disk unless it is mounted; the upper layer persists across power cuts and boots. */
export async function mountDisk(r: Runner, d: DiskPaths): Promise<void> {
  if ((await mountsUnder(`${d.dir}/root`)).length > 0) return
  for (const sub of ['upper', 'work', 'root']) await mkdir(`${d.dir}/${sub}`, { recursive: true })
  await r.run(overlayMountCommand(d))
}

/** Unmount whatever is mounted under the disk (deepest first); idempotent. */
export async function unmountDisk(r: Runner, d: DiskPaths): Promise<void> {
  const mounts = (await mountsUnder(`${d.dir}/root`)).sort((a, b) => b.length - a.length)
  for (const m of mounts) await r.run(['umount', '--lazy', m], { allowFail: true })
}

/** Remove the disk's layers (after {@link unmountDisk}). */
export async function wipeDisk(d: DiskPaths): Promise<void> {
  await rm(d.dir, { recursive: true, force: true })
}

/** A fresh 128-bit machine-id (32 hex digits, as machine-id(5) asks). */
export const newMachineId = (): string => randomBytes(16).toString('hex')

const uidOf = async (root: string, user: string): Promise<[number, number]> => {
  const m = new RegExp(`^${user}:[^:]*:(\\d+):(\\d+):`, 'm').exec(await readFile(`${root}/etc/passwd`, 'utf8'))
  if (m === null) throw new LabError('LAB_IMAGE_FAILED', `the image has no user ${user}`, { details: { root, user } })
  return [Number(m[1]), Number(m[2])]
}

/**
 * Give the mounted disk its identity, once (a marker file keeps a second
 * boot from changing it): hostname, machine-id, `/etc/hosts`, the apt proxy,
 * the stack's SSH key, and SSH host keys of its own: ed25519 and ECDSA
 * (an RSA key costs ~1.5 s of CPU per host and no client here needs it;
 * `sshd-keygen.service` is `ConditionFirstBoot=` and the machine-id is set,
 * so it does not add one).
 * Returns the host's public host keys.
 */
export async function writeIdentity(r: Runner, root: string, i: Omit<IdentityInput, 'machineId'>): Promise<string[]> {
  const done = await stat(`${root}${MARKER}`).then(() => true, () => false)
  if (!done) {
    const [uid, gid] = await uidOf(root, i.user)
    for (const f of identityFiles({ ...i, machineId: newMachineId() })) {
      await mkdir(dirname(`${root}${f.path}`), { recursive: true })
      await writeFile(`${root}${f.path}`, f.content)
      await chmod(`${root}${f.path}`, f.mode)
      if (f.userOwned === true) await chown(`${root}${f.path}`, uid, gid)
    }
    for (const t of HOST_KEY_TYPES) {
      await r.run(['ssh-keygen', '-q', '-t', t, '-N', '', '-C', `root@${i.host.name}`, '-f', `${root}/etc/ssh/ssh_host_${t}_key`])
    }
    await writeFile(`${root}${MARKER}`, `${new Date().toISOString()}\n`)
  }
  const keys: string[] = []
  for (const t of HOST_KEY_TYPES) {
    const k = await readFile(`${root}/etc/ssh/ssh_host_${t}_key.pub`, 'utf8').catch(() => undefined)
    if (k !== undefined) keys.push(k.trim())
  }
  return keys
}
