import { randomBytes } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { LocalClusterError } from './errors.js'
import type { ClusterLayout } from './layout.js'
import { isPatroniRelease, type PatroniRelease } from './patroni-release.js'
import type { RestTlsFiles } from './rest-tls.js'
import type { PatroniTiming } from '@birthday-ha/provisioner/render'

/** Logins of one cluster, generated at `up`, kept only in the 0600 state file. */
export interface ClusterCredentials {
  readonly superuser: { readonly user: string; readonly password: string }
  readonly replication: { readonly user: string; readonly password: string }
  readonly rewind: { readonly user: string; readonly password: string }
  readonly app: { readonly user: string; readonly password: string; readonly database: string }
  readonly restApi: { readonly username: string; readonly password: string }
}

/** What `up` records so that `attachCluster`, the CLI and the fault helpers act on the right PIDs. */
export interface ClusterState {
  readonly version: 1
  readonly name: string
  readonly basePort: number
  readonly etcdMembers: 1 | 3
  readonly drReplica: boolean
  /** The Patroni the cluster runs, so that `startMember` after an attach restarts the same one. Read as `'3'` from older files. */
  readonly patroni: PatroniRelease
  /** The timing Patroni runs with (what was rendered). */
  readonly timing: PatroniTiming
  readonly synchronousMode: boolean
  /** The REST TLS files the cluster was started with (paths only), so that an attach speaks HTTPS too. */
  readonly restTls?: RestTlsFiles
  readonly credentials: ClusterCredentials
  /** PID of etcd member `i`, or null while stopped. */
  readonly etcdPids: (number | null)[]
  /** PID of each node's Patroni by node name, or null while killed. */
  readonly patroniPids: Record<string, number | null>
}

const secret = (): string => randomBytes(18).toString('base64url')

/** Fresh random passwords (crypto.randomBytes); user names are fixed. */
export function generateCredentials(): ClusterCredentials {
  return {
    superuser: { user: 'postgres', password: secret() },
    replication: { user: 'replicator', password: secret() },
    rewind: { user: 'rewind_user', password: secret() },
    app: { user: 'birthday_app', password: secret(), database: 'birthday' },
    restApi: { username: 'patroni', password: secret() },
  }
}

/** Writes the state file atomically, mode 0600. */
export async function writeState(layout: ClusterLayout, state: ClusterState): Promise<void> {
  const tmp = `${layout.stateFile}.tmp`
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  await rename(tmp, layout.stateFile)
}

/** Reads the state file, or undefined when there is none. Throws `LC_NO_STATE` when it is unreadable. */
export async function readState(layout: ClusterLayout): Promise<ClusterState | undefined> {
  let text: string
  try {
    text = await readFile(layout.stateFile, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new LocalClusterError('LC_NO_STATE', `cannot read ${layout.stateFile}`, { cause: err })
  }
  try {
    const state = JSON.parse(text) as Omit<ClusterState, 'patroni'> & { patroni?: unknown }
    if (state.version !== 1) throw new Error(`unknown version ${String(state.version)}`)
    const patroni = state.patroni ?? '3' // files written before the option ran Patroni 3
    if (!isPatroniRelease(patroni)) throw new Error(`unknown patroni ${JSON.stringify(patroni)}`)
    return { ...state, patroni }
  } catch (err) {
    throw new LocalClusterError('LC_NO_STATE', `${layout.stateFile} is not a harness state file`, { cause: err })
  }
}
