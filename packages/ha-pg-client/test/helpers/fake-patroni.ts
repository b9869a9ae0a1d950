import { MockAgent } from 'undici'

export interface SimMember {
  name: string
  origin: string
  host: string
  port: number
  role: string
  state: string
  timeline: number
  lag?: number | string
  /** how this member's REST API behaves */
  rest?: 'ok' | 'frozen' | 'refused' | 'dcs-down' | 'dcs-lost'
  /** override /primary's status (e.g. 503 while the leader key moves) */
  primaryStatus?: number
  primaryRole?: string
  /** delay /cluster answers by this many ms (a busy Patroni) */
  clusterDelayMs?: number
  /** delay /primary answers by this many ms */
  primaryDelayMs?: number
  /** more fields of the /primary body (Patroni 3.0+: `patroni.version`, `dcs_last_seen`, `failsafe_mode_is_active`) */
  primaryExtra?: Record<string, unknown>
}

/** A simulated Patroni cluster behind an undici MockAgent. */
export class FakePatroni {
  readonly agent = new MockAgent({ connections: 1 })
  readonly calls: string[] = []
  /** `Date.now()` of each call in `calls` */
  readonly callTimes: number[] = []
  members: SimMember[]
  /** per-member /cluster answer override (split-brain views) */
  readonly views = new Map<string, SimMember[]>()
  config: Record<string, unknown> | 'fail' = { ttl: 10, loop_wait: 1, retry_timeout: 4 }

  constructor(members: SimMember[]) {
    this.members = members
    this.agent.disableNetConnect()
    for (const m of members) this.#install(m.origin)
  }

  /** Adds interceptors for another origin (a member learned later). */
  add(member: SimMember): void {
    this.members.push(member)
    this.#install(member.origin)
  }

  get(name: string): SimMember {
    const m = this.members.find((x) => x.name === name)
    if (m === undefined) throw new Error(`no member ${name}`)
    return m
  }

  /** Makes `name` the only leader on `timeline`; others become replicas. */
  promote(name: string, timeline: number): void {
    for (const m of this.members) {
      m.role = m.name === name ? 'leader' : 'replica'
      m.state = m.name === name ? 'running' : 'streaming'
      if (m.name === name) m.timeline = timeline
    }
  }

  #install(origin: string): void {
    this.agent
      .get(origin)
      .intercept({ path: () => true, method: 'GET' })
      .reply((opts) => this.#answer(origin, opts.path) as never)
      .persist()
  }

  #answer(origin: string, path: string): { statusCode: number; data?: unknown; error?: Error } {
    this.calls.push(`${origin}${path}`)
    this.callTimes.push(Date.now())
    const self = this.members.find((m) => m.origin === origin)
    const rest = self?.rest ?? 'ok'
    if (rest === 'refused') return { statusCode: 0, error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }
    if (rest === 'frozen') return { statusCode: 200, data: () => new Promise(() => {}) }
    if (path === '/cluster') {
      if (rest === 'dcs-down') return { statusCode: 503, data: self?.clusterDelayMs === undefined ? '' : () => new Promise((resolve) => setTimeout(() => resolve(''), self.clusterDelayMs)) }
      // Patroni 3.0.2 without its DCS: the /cluster handler raises and the connection closes without an answer
      if (rest === 'dcs-lost') return { statusCode: 0, error: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }
      const members = (self === undefined ? undefined : this.views.get(self.name)) ?? this.members
      const delay = self?.clusterDelayMs
      const text = (): string => JSON.stringify({
          members: members.map((m) => ({
            name: m.name,
            role: m.role,
            state: m.state,
            api_url: `${m.origin}/patroni`,
            host: m.host,
            port: m.port,
            timeline: m.timeline,
            ...(m.lag === undefined ? {} : { lag: m.lag }),
          })),
        })
      return { statusCode: 200, data: delay === undefined ? text() : () => new Promise((resolve) => setTimeout(() => resolve(text()), delay)) }
    }
    if (path === '/primary') {
      const leader = self?.role === 'leader'
      const status = self?.primaryStatus ?? (leader && rest === 'ok' ? 200 : 503)
      const body = JSON.stringify({ role: self?.primaryRole === null ? undefined : (self?.primaryRole ?? (leader ? 'master' : 'replica')), timeline: self?.timeline, state: 'running', ...self?.primaryExtra })
      const delay = self?.primaryDelayMs
      return { statusCode: status, data: delay === undefined ? body : () => new Promise((resolve) => setTimeout(() => resolve(body), delay)) }
    }
    if (path === '/config') {
      return this.config === 'fail' ? { statusCode: 500, data: 'boom' } : { statusCode: 200, data: JSON.stringify(this.config) }
    }
    return { statusCode: 404, data: '' }
  }
}

/** Three members on 127.0.0.1:8001..8003, pg on 10.0.0.1..3:5432, m1 leads on timeline 1. */
export function threeMembers(): SimMember[] {
  return [1, 2, 3].map((i) => ({
    name: `m${i}`,
    origin: `http://127.0.0.1:800${i}`,
    host: `10.0.0.${i}`,
    port: 5432,
    role: i === 1 ? 'leader' : 'replica',
    state: i === 1 ? 'running' : 'streaming',
    timeline: 1,
    lag: i === 1 ? undefined : i * 100,
  })) as SimMember[]
}
