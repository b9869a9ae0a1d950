import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { LabError } from '../lab-error.js'

/** A file to serve to the hosts: downloaded from `url` (checked by SHA-256) or copied from a local `path`. */
export type FileSource =
  | { readonly url: string; readonly sha256: string; readonly name?: string }
  | { readonly path: string; readonly name?: string }

const sha256Of = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

export interface DownloadOptions {
  readonly fetch?: typeof fetch
  /** Waits between attempts (injected by tests). */
  readonly sleep?: (ms: number) => Promise<void>
}

/** Waits before the 2nd, 3rd and 4th attempt: a network error or a 5xx is retried, a 4xx or a wrong SHA-256 is not. */
const RETRY_DELAYS_MS = [1_000, 3_000, 9_000]

/**
 * Put a file in the lab's mirror (`dir`, served by the apt proxy under
 * `/files/`) and return its name there. A download is fetched once by the
 * machine that runs the lab (the hosts cannot reach anything but the proxy)
 * and refused if its SHA-256 differs.
 */
export async function publishFile(dir: string, src: FileSource, o: DownloadOptions = {}): Promise<string> {
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
  const body = await download(src, o.fetch ?? fetch, o.sleep ?? sleep)
  await writeFile(`${dir}/${name}.part`, body)
  await rename(`${dir}/${name}.part`, `${dir}/${name}`)
  await rm(`${dir}/${name}.part`, { force: true })
  return name
}

/**
 * Fetches `src.url` and checks its SHA-256. Seen in a CI run: one fetch of the 52 MB Node tarball from the npm
 * registry failed with a network error and a rerun got it, so transient failures are retried.
 */
async function download(src: { readonly url: string; readonly sha256: string }, fetchFn: typeof fetch, wait: (ms: number) => Promise<unknown>, attempt = 0): Promise<Buffer> {
  const result = await fetchOnce(src.url, fetchFn)
  if ('body' in result) {
    const got = sha256Of(result.body)
    if (got !== src.sha256) {
      throw new LabError('LAB_DOWNLOAD_FAILED', `${src.url} has SHA-256 ${got}, expected ${src.sha256}`, { details: { url: src.url, sha256: got } })
    }
    return result.body
  }
  const delay = RETRY_DELAYS_MS[attempt]
  if (!result.transient || delay === undefined) throw result.error
  await wait(delay)
  return download(src, fetchFn, wait, attempt + 1)
}

/** One attempt: the body, or the error and whether another attempt may succeed. */
async function fetchOnce(url: string, fetchFn: typeof fetch): Promise<{ body: Buffer } | { error: LabError; transient: boolean }> {
  try {
    const res = await fetchFn(url, { signal: AbortSignal.timeout(120_000) })
    if (!res.ok) {
      const error = new LabError('LAB_DOWNLOAD_FAILED', `${url} answered ${res.status}`, { details: { url, status: res.status } })
      return { error, transient: res.status >= 500 || res.status === 429 }
    }
    return { body: Buffer.from(await res.arrayBuffer()) }
  } catch (cause) {
    // a network error, a reset while reading the body, or the timeout
    return { error: new LabError('LAB_DOWNLOAD_FAILED', `cannot fetch ${url}: ${(cause as Error).message}`, { cause, details: { url } }), transient: true }
  }
}
