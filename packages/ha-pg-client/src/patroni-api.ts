import { Agent, request, type Dispatcher } from 'undici'

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
  readonly ca?: string | Buffer | undefined
  readonly auth?: { readonly username: string; readonly password: string } | undefined
}

/**
 * A thin Patroni REST client over undici with a hard deadline on every call: a frozen Patroni
 * (SIGSTOP) accepts TCP and never answers, so the whole call, headers and body, is bounded.
 */
export class PatroniApi {
  /** The deadline of each call; the tracker lowers it once Patroni's timing is known. */
  timeoutMs: number
  /** REST calls sent so far (for the fleet-load figures in stats()). */
  calls = 0
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #headers: Record<string, string>

  constructor(options: PatroniApiOptions) {
    this.timeoutMs = options.timeoutMs
    this.#ownsDispatcher = options.dispatcher === undefined
    this.#dispatcher =
      options.dispatcher ?? new Agent({ connect: { timeout: options.timeoutMs, ...(options.ca === undefined ? {} : { ca: options.ca }) }, keepAliveTimeout: 4_000 })
    this.#headers = { accept: 'application/json' }
    if (options.auth !== undefined) {
      const token = Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')
      Object.defineProperty(this.#headers, 'authorization', { value: `Basic ${token}`, enumerable: true })
    }
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
    this.calls += 1
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new Error(`Patroni REST ${path} timed out after ${this.timeoutMs} ms`)), this.timeoutMs)
    const result = await this.#send<T>(new URL(path, baseUrl), path, controller.signal).catch((error: unknown) => ({ ok: false as const, error, timedOut: controller.signal.aborted }))
    clearTimeout(timer)
    return result
  }

  async #send<T>(url: URL, path: string, signal: AbortSignal): Promise<RestResult<T>> {
    const res = await request(url, {
      method: 'GET',
      headers: this.#headers,
      dispatcher: this.#dispatcher,
      signal,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    })
    const text = await res.body.text()
    let body: unknown = {}
    try {
      body = text === '' ? {} : JSON.parse(text)
    } catch (error) {
      return { ok: false, status: res.statusCode, error }
    }
    if (res.statusCode < 300) return { ok: true, status: res.statusCode, body: body as T }
    return { ok: false, status: res.statusCode, error: new Error(`Patroni ${path} answered ${res.statusCode}`) }
  }
}
