import { readFile } from 'node:fs/promises'
import { get as httpGet, type IncomingMessage } from 'node:http'
import { get as httpsGet } from 'node:https'
import { Readable } from 'node:stream'
import { rootCertificates } from 'node:tls'

/** Debian's bundle of the CAs the system trusts (package ca-certificates, `update-ca-certificates`). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt'

/** The null body statuses a Response can carry (fetch spec; 101 and 103 never reach a response callback, and Response refuses them). */
const NULL_BODY = new Set([204, 205, 304])

/**
 * A GET-only `fetch` for the machine that runs the lab (`http:` as it is; `https:` trusting Node's own
 * roots plus the system's CA bundle), as npm (`cafile`), apt and curl do here. Node's fetch trusts only the roots bundled with Node
 * unless NODE_EXTRA_CA_CERTS is set: behind an HTTPS proxy whose CA is in the system bundle (this
 * machine's case), a run from a clean environment failed with SELF_SIGNED_CERT_IN_CHAIN where npm did
 * not. It does not follow redirects (the npm registry serves its tarballs directly): a 3xx is returned.
 */
export function systemCaFetch(bundle = SYSTEM_CA_BUNDLE): typeof fetch {
  let ca: Promise<string[]> | undefined
  const cas = (): Promise<string[]> => (ca ??= readFile(bundle, 'utf8').then((pem) => [...rootCertificates, pem], () => [...rootCertificates]))
  return async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input)
    const signal = init?.signal ?? undefined
    const trusted = await cas()
    return await new Promise<Response>((resolve, reject) => {
      const options = { ...(signal === undefined ? {} : { signal }) }
      const onResponse = (res: IncomingMessage): void => {
        const status = res.statusCode as number // always set on a client's response
        if (NULL_BODY.has(status)) {
          res.resume()
          resolve(new Response(null, { status }))
          return
        }
        resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status }))
      }
      const req = url.startsWith('http:') ? httpGet(url, options, onResponse) : httpsGet(url, { ...options, ca: trusted }, onResponse)
      req.on('error', reject)
    })
  }
}
