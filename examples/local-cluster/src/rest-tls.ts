import { chown, copyFile, chmod, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LocalClusterError } from './errors.js'
import type { NodeLayout } from './layout.js'
import type { PostgresUser } from './write-configs.js'

/**
 * The REST API's TLS files (absolute paths). `certFile`/`keyFile` are every member's REST certificate,
 * Patroni's own client certificate (`ctl`) and the harness's client certificate for its probes, so the
 * certificate must name 127.0.0.1 and allow both server and client use (extendedKeyUsage serverAuth, clientAuth).
 */
export interface RestTlsFiles {
  readonly caFile: string
  readonly certFile: string
  readonly keyFile: string
}

/** The same, read, as `node:https` takes them. */
export interface RestTls {
  readonly ca: Buffer
  readonly cert: Buffer
  readonly key: Buffer
}

/** Reads the files for the harness's own REST calls; undefined without TLS. Throws `LC_BAD_OPTIONS` naming a file it cannot read. */
export async function readRestTls(files: RestTlsFiles | undefined): Promise<RestTls | undefined> {
  if (files === undefined) return undefined
  const read = async (field: keyof RestTlsFiles): Promise<Buffer> => await readFile(files[field]).catch((err: unknown) => {
    throw new LocalClusterError('LC_BAD_OPTIONS', `cannot read restTls.${field} ${files[field]}`, { cause: err })
  })
  return { ca: await read('caFile'), cert: await read('certFile'), key: await read('keyFile') }
}

/** Copies the files into the node's dir, owned by `postgres`, mode 0600 (Patroni runs as postgres); returns where they are. */
export async function installRestTls(files: RestTlsFiles, node: NodeLayout, owner: PostgresUser): Promise<RestTlsFiles> {
  const installed = { caFile: join(node.dir, 'rest-ca.pem'), certFile: join(node.dir, 'rest-cert.pem'), keyFile: join(node.dir, 'rest-key.pem') }
  for (const field of ['caFile', 'certFile', 'keyFile'] as const) {
    await copyFile(files[field], installed[field])
    await chmod(installed[field], 0o600)
    await chown(installed[field], owner.uid, owner.gid)
  }
  return installed
}
