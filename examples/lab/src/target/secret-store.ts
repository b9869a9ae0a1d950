import { randomBytes } from 'node:crypto'
import { chmod, mkdir, open, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { ProvisionerError, type SecretStore, type Secrets, type Stack } from '@birthday-ha/provisioner'

/** The stack's secrets (the same names as the AWS target's SSM parameters). */
export const LAB_SECRET_NAMES = ['superuser-password', 'replication-password', 'rewind-password', 'app-password', 'rest-password'] as const satisfies readonly (keyof Secrets)[]
// Compile-time check that no secret of the provisioner is forgotten here.
type Forgotten = Exclude<keyof Secrets, (typeof LAB_SECRET_NAMES)[number]>
const allNamed: [Forgotten] extends [never] ? true : never = true

/** Options of {@link fileSecretStore}. */
export interface FileSecretStoreOptions {
  /** The lab's state directory; secrets live in `<stateDir>/secrets/<stack>/<name>`. */
  readonly stateDir: string
  /** Generates one value (default: 32 random bytes, base64url, like the AWS target). */
  readonly generate?: () => string
}

/** A `catch` handler: `onCode()` for that one errno code, the error again for any other. */
const onErrno = <T>(code: string, onCode: () => T) => (err: NodeJS.ErrnoException): T => {
  if (err.code === code) return onCode()
  throw err
}

/** Values stay readable by name, but printing or serialising the object shows no value. */
function redacted(values: Record<string, string>): Secrets {
  Object.defineProperty(values, 'toJSON', { enumerable: false, value: () => '[secrets redacted]' })
  Object.defineProperty(values, inspect.custom, { enumerable: false, value: () => '[secrets redacted]' })
  return values as Secrets
}

/**
 * The lab's SecretStore, with SSM SecureString's contract: each secret is a
 * file of mode 0600 in a 0700 directory, created once with `O_EXCL` (two
 * runs at once cannot both create it, and a value is never overwritten),
 * read by name, never logged: the returned object prints as
 * `[secrets redacted]`.
 *
 * @example
 * ```ts
 * const secrets = await fileSecretStore({ stateDir: '/var/lib/birthday-ha-lab/lab' }).ensure(stack)
 * ```
 */
export function fileSecretStore(o: FileSecretStoreOptions): SecretStore {
  void allNamed
  const generate = o.generate ?? (() => randomBytes(32).toString('base64url'))
  const dir = (stack: Stack): string => join(o.stateDir, 'secrets', stack.name)
  const read = async (stack: Stack): Promise<Secrets> => {
    const out: Record<string, string> = {}
    for (const name of LAB_SECRET_NAMES) {
      const file = join(dir(stack), name)
      const value = await readFile(file, 'utf8').catch(onErrno('ENOENT', () => {
        throw new ProvisionerError('PROV_MISSING_RESOURCE', `secret ${name} of stack ${stack.name} does not exist (run up first)`, { details: { secret: name } })
      }))
      if (((await stat(file)).mode & 0o077) !== 0) throw new ProvisionerError('PROV_INVALID_STACK', `secret file ${file} is readable by others: it must be mode 0600`, { details: { secret: name } })
      out[name] = value
    }
    return redacted(out)
  }
  return {
    async ensure(stack) {
      await mkdir(dir(stack), { recursive: true, mode: 0o700 })
      await chmod(dir(stack), 0o700)
      for (const name of LAB_SECRET_NAMES) {
        const f = await open(join(dir(stack), name), 'wx', 0o600).catch(onErrno('EEXIST', () => undefined))
        if (f === undefined) continue
        try {
          await f.writeFile(generate())
        } finally {
          await f.close()
        }
      }
      return await read(stack)
    },
    read,
  }
}
