import { mkdir, readFile, stat } from 'node:fs/promises'
import type { Runner } from '../runner.js'

/** The stack's SSH key pair in the lab (what `sshKeyName` names on AWS). */
export interface LabSshKey {
  readonly privateKeyPath: string
  readonly publicKey: string
}

/** Create the lab's ed25519 key pair once (0600, in `dir`), then return it. */
export async function ensureSshKey(r: Runner, dir: string, comment: string): Promise<LabSshKey> {
  const privateKeyPath = `${dir}/id_ed25519`
  await mkdir(dir, { recursive: true, mode: 0o700 })
  if (!(await stat(privateKeyPath).then(() => true, () => false))) {
    await r.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', privateKeyPath])
  }
  return { privateKeyPath, publicKey: (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim() }
}
