import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Pem } from './tls-material.js'

/** How one fake member's REST API is set up, as in its `restapi` section. */
export interface HttpsPatroniOptions {
  /** `restapi.certfile` / `keyfile`. */
  readonly server: Pem
  /** `restapi.cafile`: the CA client certificates are checked against. */
  readonly ca: Buffer
  /** `restapi.verify_client`. Default `none`. */
  readonly verifyClient?: 'none' | 'optional' | 'required'
  /** `restapi.authentication`. */
  readonly auth?: { readonly username: string; readonly password: string }
  /**
   * GET paths answered as if they carried `@check_access`. Real Patroni guards none of its GETs (only
   * unsafe methods: PATCH/PUT /config, POST /restart, /failover…), so by default none is guarded here.
   */
  readonly guarded?: readonly string[]
  /** Answer a guarded path's 401 with this `WWW-Authenticate` instead of Patroni's (a proxy in front). */
  readonly challenge?: string | null
}

/** One request as the fake member saw it. */
export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly clientCert: boolean
}

/** A fake Patroni REST API on a real `node:https` server on 127.0.0.1, modelled on Patroni 4.0.7's patroni/api.py. */
export class HttpsPatroni {
  readonly seen: SeenRequest[] = []
  readonly #options: HttpsPatroniOptions
  readonly #server: Server

  private constructor(options: HttpsPatroniOptions) {
    this.#options = options
    const verify = options.verifyClient ?? 'none'
    this.#server = createServer({
      cert: options.server.cert,
      key: options.server.key,
      ca: options.ca,
      // verify_client required = ssl.CERT_REQUIRED: the handshake itself needs a valid client certificate
      // (RestApiServer.__initialize, patroni/api.py); optional = CERT_OPTIONAL: asked for, not required.
      requestCert: verify !== 'none',
      rejectUnauthorized: verify === 'required',
    }, (req, res) => this.#handle(req, res))
  }

  /** Starts a member on 127.0.0.1, port 0. */
  static async start(options: HttpsPatroniOptions): Promise<HttpsPatroni> {
    const member = new HttpsPatroni(options)
    await new Promise<void>((resolve) => member.#server.listen(0, '127.0.0.1', resolve))
    return member
  }

  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as { port: number }).port}`
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] as string
    const clientCert = (req.socket as { authorized?: boolean }).authorized === true
    this.seen.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, clientCert })
    if (this.#options.guarded?.includes(path) === true && !this.#checkAccess(req, res, clientCert)) return
    const bodies: Record<string, unknown> = {
      '/cluster': { members: [{ name: 'pg1', role: 'leader', state: 'running', api_url: `${this.url}/patroni`, host: '127.0.0.1', port: 5432, timeline: 1 }] },
      '/primary': { role: 'primary', state: 'running', timeline: 1 },
      '/config': { ttl: 20, loop_wait: 1, retry_timeout: 3 },
    }
    const body = bodies[path]
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body ?? {}))
  }

  /**
   * `RestApiServer.check_access` (patroni/api.py): no valid client certificate under verify_client
   * optional/required is a 403 "client certificate required"; a missing or wrong Authorization, when
   * `restapi.authentication` is set, a 401 with `WWW-Authenticate: Basic realm="Patroni"` (`check_auth_header`).
   */
  #checkAccess(req: IncomingMessage, res: ServerResponse, clientCert: boolean): boolean {
    const { auth, verifyClient = 'none', challenge } = this.#options
    if (verifyClient !== 'none' && !clientCert) {
      res.writeHead(403).end('client certificate required')
      return false
    }
    if (auth === undefined) return true
    const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
    if (req.headers.authorization === expected) return true
    const header = challenge === undefined ? 'Basic realm="Patroni"' : challenge
    res.writeHead(401, header === null ? {} : { 'www-authenticate': header })
    res.end(req.headers.authorization === undefined ? 'no auth header received' : 'not authenticated')
    return false
  }
}
