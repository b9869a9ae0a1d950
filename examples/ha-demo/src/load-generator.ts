import { dateForPut, lettersFor } from './usernames.js'

/** One request the generator sends. */
export interface LoadRequest {
  readonly method: 'PUT' | 'GET'
  readonly path: string
  readonly body?: string
  readonly timeoutMs: number
}

/** The answer to one request. */
export interface LoadResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string
}

/** Sends one request; rejects on a network error or the timeout. */
export type Sender = (request: LoadRequest) => Promise<LoadResponse>

/** What happened to one request. `status` 0: no answer (network error or timeout). */
export interface RequestRecord {
  readonly method: 'PUT' | 'GET'
  readonly user: string
  readonly date: string | undefined
  readonly sentAt: number
  readonly endedAt: number
  readonly status: number
  /** For a non-2xx: whether it is a clean 503 (problem+json with Retry-After), and if not, why. */
  readonly problem?: { readonly clean: boolean; readonly detail: string }
}

/** The last acknowledged PUT of a user, and the dates of PUTs sent after it that were not acknowledged. */
export interface UserLog {
  acked: { date: string; sentAt: number; ackedAt: number } | undefined
  unacked: string[]
}

/** Options of {@link LoadGenerator}. */
export interface LoadGeneratorOptions {
  readonly send: Sender
  readonly ratePerSecond: number
  /** Share of PUTs; default 1/3. */
  readonly putRatio?: number
  /** Per-request timeout given to the sender. */
  readonly timeoutMs: number
  /** Letters prefixed to every username (a run tag). */
  readonly userPrefix: string
  /** Share of PUTs that go to a new user; default 0.3. */
  readonly newUserRatio?: number
  readonly now?: () => number
  readonly random?: () => number
}

/** Classifies a non-2xx answer: clean means 503, `application/problem+json` and a `Retry-After`. */
export function classifyFailure(res: LoadResponse): { clean: boolean; detail: string } {
  const type = res.headers['content-type'] ?? ''
  const why: string[] = []
  if (res.status !== 503) why.push(`status ${res.status}`)
  if (!type.startsWith('application/problem+json')) why.push(`content-type ${JSON.stringify(type)}`)
  if (res.headers['retry-after'] === undefined) why.push('no Retry-After')
  try {
    JSON.parse(res.body)
  } catch {
    why.push('body is not JSON')
  }
  return why.length === 0 ? { clean: true, detail: res.body.slice(0, 200) } : { clean: false, detail: `${why.join(', ')}: ${res.body.slice(0, 120)}` }
}

/**
 * A paced open-loop HTTP load: `ratePerSecond` requests are started on schedule whatever the answers
 * (a stalled backend does not slow it down), a mix of `PUT /hello/<user>` and `GET /hello/<user>`.
 * A user has at most one request in flight, so its acknowledged PUTs are ordered; GETs go only to
 * users with an acknowledged PUT. Every acknowledged PUT is logged (user → last acknowledged date,
 * with timestamps), and so are PUTs that failed after it, whose outcome is unknown.
 *
 * @example
 * ```ts
 * const load = new LoadGenerator({ send: httpSender('http://127.0.0.1:8000'), ratePerSecond: 100, timeoutMs: 25_000, userPrefix: 'demo' })
 * load.start()
 * // ... a fault ...
 * const records = await load.stop()
 * ```
 */
export class LoadGenerator {
  readonly records: RequestRecord[] = []
  readonly users = new Map<string, UserLog>()
  readonly #options: LoadGeneratorOptions
  readonly #now: () => number
  readonly #random: () => number
  readonly #names: string[] = []
  readonly #busy = new Set<string>()
  readonly #inFlight = new Set<Promise<void>>()
  #timer: NodeJS.Timeout | undefined
  #startedAt = 0
  #launched = 0
  #puts = 0
  #stopped: Promise<RequestRecord[]> | undefined

  constructor(options: LoadGeneratorOptions) {
    if (!(options.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${options.ratePerSecond}`)
    this.#options = options
    this.#now = options.now ?? Date.now
    this.#random = options.random ?? Math.random
  }

  /** Requests started and not yet answered. */
  get inFlight(): number {
    return this.#inFlight.size
  }

  /** Starts sending on schedule. */
  start(): void {
    if (this.#timer !== undefined || this.#stopped !== undefined) return
    this.#startedAt = this.#now()
    this.#timer = setInterval(() => this.#tick(), 5)
  }

  /** Stops starting requests, waits for those in flight (each ends by its timeout), and returns every record. */
  async stop(): Promise<RequestRecord[]> {
    this.#stopped ??= (async () => {
      clearInterval(this.#timer)
      while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight])
      return this.records
    })()
    return await this.#stopped
  }

  #tick(): void {
    const due = Math.floor(((this.#now() - this.#startedAt) * this.#options.ratePerSecond) / 1000)
    for (; this.#launched < due; this.#launched++) this.#launch()
  }

  #pickGetUser(): string | undefined {
    for (let i = 0; i < 4 && this.#names.length > 0; i++) {
      const name = this.#names[Math.floor(this.#random() * this.#names.length)] as string
      if (!this.#busy.has(name) && this.users.get(name)?.acked !== undefined) return name
    }
    return undefined
  }

  #pickPutUser(): string {
    if (this.#random() >= (this.#options.newUserRatio ?? 0.3)) {
      for (let i = 0; i < 4 && this.#names.length > 0; i++) {
        const name = this.#names[Math.floor(this.#random() * this.#names.length)] as string
        if (!this.#busy.has(name)) return name
      }
    }
    const name = `${this.#options.userPrefix}${lettersFor(this.#names.length)}`
    this.#names.push(name)
    this.users.set(name, { acked: undefined, unacked: [] })
    return name
  }

  #launch(): void {
    const getUser = this.#random() < (this.#options.putRatio ?? 1 / 3) ? undefined : this.#pickGetUser()
    const method = getUser === undefined ? 'PUT' : 'GET'
    const user = getUser ?? this.#pickPutUser()
    const date = method === 'PUT' ? dateForPut(this.#puts++) : undefined
    this.#busy.add(user)
    const sentAt = this.#now()
    const request: LoadRequest = {
      method,
      path: `/hello/${user}`,
      timeoutMs: this.#options.timeoutMs,
      ...(date === undefined ? {} : { body: JSON.stringify({ dateOfBirth: date }) }),
    }
    const done = this.#options.send(request).then(
      (res) => this.#record(method, user, date, sentAt, res),
      () => this.#record(method, user, date, sentAt, undefined),
    ).finally(() => {
      this.#busy.delete(user)
      this.#inFlight.delete(done)
    })
    this.#inFlight.add(done)
  }

  #record(method: 'PUT' | 'GET', user: string, date: string | undefined, sentAt: number, res: LoadResponse | undefined): void {
    const endedAt = this.#now()
    const status = res?.status ?? 0
    const ok = status >= 200 && status < 300
    const log = this.users.get(user) as UserLog
    if (date !== undefined) {
      if (ok) {
        log.acked = { date, sentAt, ackedAt: endedAt }
        log.unacked = []
      } else {
        log.unacked.push(date)
      }
    }
    const problem = ok ? undefined : res === undefined ? { clean: false, detail: 'no answer (network error or timeout)' } : classifyFailure(res)
    this.records.push({ method, user, date, sentAt, endedAt, status, ...(problem && { problem }) })
  }
}
