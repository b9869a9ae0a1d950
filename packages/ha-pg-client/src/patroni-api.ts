import { Agent, request, type Dispatcher } from 'undici'
import type { PatroniTlsOptions } from './options.js'
import { PatroniCredentials, type Challenge } from './patroni-credentials.js'
import { explainClosedTls, tlsConnectOptions } from './patroni-tls.js'

/** One member as listed by Patroni's `GET /cluster`. */
export interface PatroniMember {
  readonly name: string
  readonly role: string
  readonly state: string
  readonly api_url?: string
  readonly host?: string
  readonly port?: number
  readonly timeline?: number
  readonly lag?: number | string
  /** Patroni 4: bytes not yet replayed (what a read sees), and not yet received. */
  readonly replay_lag?: number | string
  readonly receive_lag?: number | string
  /** Member tags; `noloadbalance: true` keeps it out of read balancing (the DR member has it). */
  readonly tags?: { readonly noloadbalance?: unknown; readonly [tag: string]: unknown }
}

/** What `GET /primary` answers (the same body as `GET /patroni`); the fields this client reads. */
export interface PrimaryAnswer {
  readonly role?: string
  readonly timeline?: number
  readonly state?: string
  /** Unix time (s) of the member's last successful DCS access (Patroni 3.0+). */
  readonly dcs_last_seen?: number
  /** Whether the leader runs on failsafe_mode's member confirmation, without its DCS. */
  readonly failsafe_mode_is_active?: boolean
  readonly patroni?: { readonly version?: string }
}

/** Dynamic configuration timings from `GET /config`. */
export interface PatroniTiming {
  readonly ttl: number
  readonly loop_wait: number
  readonly retry_timeout: number
}

/** The answer of one REST call: a status and a parsed JSON body, or the error. */
/** `timedOut`: no answer within the deadline (slow or frozen), as opposed to a refused or closed connection. */
export type RestResult<T> = { readonly ok: true; readonly status: number; readonly body: T } | { readonly ok: false; readonly status?: number; readonly error: unknown; readonly timedOut?: boolean }

export interface PatroniApiOptions {
  readonly timeoutMs: number
  readonly dispatcher?: Dispatcher | undefined
  /** The default Agent's TLS `connect` options. */
  readonly tls?: PatroniTlsOptions | undefined
  /** Sent only to members that answer 401 with a Basic challenge ({@link PatroniCredentials}). */
  readonly auth?: { readonly username: string; readonly password: string } | undefined
}

/** One HTTP exchange, before it becomes a {@link RestResult}. */
interface Exchange {
  readonly status: number
  readonly text: string
  readonly challenge: Challenge
}

/**
 * A thin Patroni REST client over undici with a hard deadline on every call: a frozen Patroni
 * (SIGSTOP) accepts TCP and never answers, so the whole call, headers and body, is bounded.
 */
export class PatroniApi {
  /** The deadline of each call; the tracker lowers it once Patroni's timing is known. */
  timeoutMs: number
  /** HTTP requests sent so far, a credentials retry included (for the fleet-load figures in stats()). */
  calls = 0
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #credentials: PatroniCredentials
  readonly #hasCert: boolean

  constructor(options: PatroniApiOptions) {
    this.timeoutMs = options.timeoutMs
    this.#ownsDispatcher = options.dispatcher === undefined
    this.#dispatcher =
      options.dispatcher ?? new Agent({ connect: { timeout: options.timeoutMs, ...tlsConnectOptions(options.tls) }, keepAliveTimeout: 4_000 })
    this.#credentials = new PatroniCredentials(options.auth)
    this.#hasCert = options.tls?.cert !== undefined
  }

  /** `GET /cluster` on one member. */
  cluster(baseUrl: string): Promise<RestResult<{ members?: PatroniMember[] }>> {
    return this.#get(baseUrl, '/cluster')
  }

  /** `GET /primary` on one member: 200 only while that member holds the leader key and runs as primary. */
  primary(baseUrl: string): Promise<RestResult<PrimaryAnswer>> {
    return this.#get(baseUrl, '/primary')
  }

  /** `GET /config`: the dynamic configuration (ttl, loop_wait, retry_timeout…). */
  config(baseUrl: string): Promise<RestResult<Partial<PatroniTiming>>> {
    return this.#get(baseUrl, '/config')
  }

  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close()
  }

  async #get<T>(baseUrl: string, path: string): Promise<RestResult<T>> {
    const url = new URL(path, baseUrl)
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new Error(`Patroni REST ${path} timed out after ${this.timeoutMs} ms`)), this.timeoutMs)
    const result = await this.#call<T>(url, path, controller.signal).catch((error: unknown) => ({
      ok: false as const, error: explainClosedTls(error, url, this.#hasCert), timedOut: controller.signal.aborted,
    }))
    clearTimeout(timer)
    return result
  }

  /** One call: a request, and once more at once (within the same deadline) with credentials if the member asks for them. */
  async #call<T>(url: URL, path: string, signal: AbortSignal): Promise<RestResult<T>> {
    let authorization = this.#credentials.headerFor(url.origin)
    let exchange = await this.#send(url, authorization, signal)
    if (exchange.status === 401 && this.#credentials.challenged(url.origin, exchange.challenge, authorization !== undefined)) {
      authorization = this.#credentials.headerFor(url.origin)
      exchange = await this.#send(url, authorization, signal)
    }
    if (exchange.status === 401) return { ok: false, status: 401, error: this.#credentials.refusal(url.origin, path, exchange.challenge, authorization !== undefined) }
    return parse<T>(exchange, path)
  }

  async #send(url: URL, authorization: string | undefined, signal: AbortSignal): Promise<Exchange> {
    this.calls += 1
    const res = await request(url, {
      method: 'GET',
      headers: authorization === undefined ? { accept: 'application/json' } : { accept: 'application/json', authorization },
      dispatcher: this.#dispatcher,
      signal,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    })
    return { status: res.statusCode, text: await res.body.text(), challenge: res.headers['www-authenticate'] }
  }
}

function parse<T>({ status, text }: Exchange, path: string): RestResult<T> {
  if (status >= 300) return { ok: false, status, error: new Error(`Patroni ${path} answered ${status}`) }
  try {
    return { ok: true, status, body: (text === '' ? {} : JSON.parse(text)) as T }
  } catch (error) {
    return { ok: false, status, error }
  }
}
