import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { LabError } from '../lab-error.js'

/** A file to serve to the hosts: downloaded from `url` (checked by SHA-256) or copied from a local `path`. */
export type FileSource =
  | { readonly url: string; readonly sha256: string; readonly name?: string }
  | { readonly path: string; readonly name?: string }

const sha256Of = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/**
 * Put a file in the lab's mirror (`dir`, served by the apt proxy under
 * `/files/`) and return its name there. A download is fetched once by the
 * machine that runs the lab (the hosts cannot reach anything but the proxy)
 * and refused if its SHA-256 differs.
 */
export async function publishFile(dir: string, src: FileSource, o: { readonly fetch?: typeof fetch } = {}): Promise<string> {
  await mkdir(dir, { recursive: true })
  if ('path' in src) {
    const name = src.name ?? basename(src.path)
    await copyFile(src.path, `${dir}/${name}.part`)
    await rename(`${dir}/${name}.part`, `${dir}/${name}`)
    return name
  }
  const name = src.name ?? basename(new URL(src.url).pathname)
  const have = await readFile(`${dir}/${name}`).catch(() => undefined)
  if (have !== undefined && sha256Of(have) === src.sha256) return name
  const res = await (o.fetch ?? fetch)(src.url, { signal: AbortSignal.timeout(120_000) }).catch((cause: unknown) => {
    throw new LabError('LAB_DOWNLOAD_FAILED', `cannot fetch ${src.url}`, { cause, details: { url: src.url } })
  })
  if (!res.ok) throw new LabError('LAB_DOWNLOAD_FAILED', `${src.url} answered ${res.status}`, { details: { url: src.url, status: res.status } })
  const body = Buffer.from(await res.arrayBuffer())
  const got = sha256Of(body)
  if (got !== src.sha256) {
    throw new LabError('LAB_DOWNLOAD_FAILED', `${src.url} has SHA-256 ${got}, expected ${src.sha256}`, { details: { url: src.url, sha256: got } })
  }
  await writeFile(`${dir}/${name}.part`, body)
  await rename(`${dir}/${name}.part`, `${dir}/${name}`)
  await rm(`${dir}/${name}.part`, { force: true })
  return name
}
