import type { ConnectionOptions } from 'node:tls'
import type { PatroniTlsOptions } from './options.js'
import { HaPgError } from './errors.js'

/** The TLS part of the default Agent's `connect` options; read field by field, as key and passphrase are non-enumerable. */
export function tlsConnectOptions(tls: PatroniTlsOptions | undefined): Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'passphrase' | 'servername'> {
  if (tls === undefined) return {}
  const { ca, cert, key, passphrase, servername } = tls
  return Object.fromEntries(Object.entries({ ca, cert, key, passphrase, servername }).filter(([, value]) => value !== undefined))
}

/**
 * Says what to set when an `https:` member closed the connection before answering and no client
 * certificate is configured: under `restapi.verify_client: required` Patroni's TLS handshake demands
 * one (ssl.CERT_REQUIRED in `RestApiServer.__initialize`, patroni/api.py), and its TLS 1.3
 * certificate_required alert reaches undici's caller only as "other side closed" (measured).
 */
export function explainClosedTls(error: unknown, url: URL, hasCert: boolean): unknown {
  if (url.protocol !== 'https:' || hasCert || (error as { code?: unknown }).code !== 'UND_ERR_SOCKET') return error
  return new HaPgError(
    'HAPG_PATRONI_TLS',
    `Patroni at ${url.origin} closed the TLS connection before answering; it does so under restapi.verify_client: required when no client certificate is sent: set patroniTls.cert and patroniTls.key`,
    { cause: error },
  )
}
