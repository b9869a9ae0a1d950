import { HaPgError } from './errors.js'

/** What a 401 answer carries that matters here: its `WWW-Authenticate` header(s). */
export type Challenge = string | string[] | undefined

/** A challenge names the Basic scheme (RFC 7235: `Basic realm="Patroni"`, possibly among others). */
const BASIC = /(?:^|,)\s*basic(?:\s|,|$)/i

/**
 * Basic credentials, sent only to the origins (scheme, host, port) that asked for them with a 401
 * and a Basic challenge. Patroni checks credentials only on its unsafe endpoints (`check_access` in
 * patroni/api.py guards PATCH/PUT /config, POST /restart, /failover…, never a GET), so a GET that
 * carried them on every call would only spread the secret.
 */
export class PatroniCredentials {
  readonly #authorization: string | undefined
  readonly #asked = new Set<string>()

  constructor(auth: { readonly username: string; readonly password: string } | undefined) {
    this.#authorization = auth === undefined ? undefined : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
  }

  /** The `Authorization` header for `origin`, once it asked for credentials (and there are some). */
  headerFor(origin: string): string | undefined {
    return this.#asked.has(origin) ? this.#authorization : undefined
  }

  /**
   * Records a 401 from `origin`. True when the call should be sent again at once, with credentials:
   * there are some, they were not sent yet, and the challenge asks for Basic.
   */
  challenged(origin: string, challenge: Challenge, sent: boolean): boolean {
    if (sent || this.#authorization === undefined || !namesBasic(challenge)) return false
    this.#asked.add(origin)
    return true
  }

  /** The error of a 401 that stands (no credentials, refused ones, or a scheme other than Basic). */
  refusal(origin: string, path: string, challenge: Challenge, sent: boolean): HaPgError {
    if (sent) return new HaPgError('HAPG_PATRONI_AUTH', `Patroni at ${origin} refused the patroniAuth credentials (401 on GET ${path}): check patroniAuth's username and password`)
    if (namesBasic(challenge)) return new HaPgError('HAPG_PATRONI_AUTH', `Patroni at ${origin} asked for credentials (401 on GET ${path}, Basic challenge): set patroniAuth`)
    return new HaPgError('HAPG_PATRONI_AUTH', `Patroni at ${origin} answered 401 on GET ${path} without a Basic challenge (WWW-Authenticate: ${String(challenge)}); patroniAuth speaks only Basic`)
  }
}

function namesBasic(challenge: Challenge): boolean {
  return [challenge ?? []].flat().some((value) => BASIC.test(value))
}
