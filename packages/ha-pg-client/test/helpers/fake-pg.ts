import { EventEmitter } from 'node:events'

export type QueryBehaviour = (text: string, values: unknown[] | undefined) => unknown

/** A fake PostgreSQL server, addressed by host:port. */
export interface FakeServer {
  down?: boolean
  /** what ParameterStatus in_hot_standby said; undefined = not reported (PG < 14) */
  hotStandby?: boolean | undefined
  /** answer of SELECT pg_is_in_recovery() */
  inRecovery?: boolean
  /** default_transaction_read_only (PostgreSQL 14+ reports it as a ParameterStatus, like in_hot_standby) */
  defaultReadOnly?: boolean
  /** return a result, throw an error, or return 'hang' to never answer */
  onQuery?: QueryBehaviour
  connectError?: Error
  /** a connect that never completes, as to a host that stopped answering */
  connectHangs?: boolean
  /** called on every connect (checkout), e.g. to move a fake clock: a checkout that took long */
  onConnect?: () => void
  /** the writability check (SELECT pg_is_in_recovery() …) gets no answer, as from a server that stopped answering */
  checkHangs?: boolean
}

export interface FakeClient {
  hotStandby: boolean | undefined
  defaultReadOnly: boolean | undefined
  server: string
  queries: string[]
  destroyed: boolean
  connection: { stream: { destroy(): void } }
  query(q: string | { text: string; values?: unknown[] }): Promise<unknown>
  release(err?: unknown): void
}

/** Builds a pg.Pool stand-in bound to `servers`; `pools` collects every instance. */
export function fakePool(servers: Map<string, FakeServer>) {
  const pools: FakePool[] = []
  class FakePool extends EventEmitter {
    readonly config: Record<string, unknown>
    readonly key: string
    ended = false
    readonly idle = new Set<FakeClient>()
    readonly busy = new Set<FakeClient>()
    constructor(config: Record<string, unknown>) {
      super()
      this.config = config
      this.key = config.connectionString !== undefined ? String(config.connectionString) : `${String(config.host)}:${String(config.port)}`
      pools.push(this)
    }
    get totalCount(): number {
      return this.idle.size + this.busy.size
    }
    get idleCount(): number {
      return this.idle.size
    }
    get waitingCount(): number {
      return 0
    }
    async connect(): Promise<FakeClient> {
      const server = servers.get(this.key)
      if (server === undefined || server.down === true) throw Object.assign(new Error(`connect ECONNREFUSED ${this.key}`), { code: 'ECONNREFUSED' })
      if (server.connectError !== undefined) throw server.connectError
      if (server.connectHangs === true) return await new Promise<never>(() => {})
      server.onConnect?.()
      const reuse = [...this.idle][0]
      if (reuse !== undefined) {
        this.idle.delete(reuse)
        this.busy.add(reuse)
        reuse.hotStandby = server.hotStandby
        reuse.defaultReadOnly = server.hotStandby === undefined ? undefined : (server.defaultReadOnly ?? false)
        return reuse
      }
      let kill: (e: Error) => void = () => {}
      const client: FakeClient = {
        hotStandby: server.hotStandby,
        // reported together with in_hot_standby (both GUC_REPORT since PostgreSQL 14)
        defaultReadOnly: server.hotStandby === undefined ? undefined : (server.defaultReadOnly ?? false),
        server: this.key,
        queries: [],
        destroyed: false,
        connection: {
          stream: {
            destroy: () => {
              client.destroyed = true
              kill(new Error('Connection terminated unexpectedly'))
            },
          },
        },
        query: (q) => {
          const text = typeof q === 'string' ? q : q.text
          client.queries.push(text)
          if (client.destroyed) return Promise.reject(new Error('Client has encountered a connection error and is not queryable'))
          if (text.startsWith('SELECT pg_is_in_recovery() AS r') && server.checkHangs === true) {
            return new Promise((_, reject) => {
              const socket = setInterval(() => {}, 1_000) // a hung statement keeps its socket, and the process, alive
              kill = (e) => {
                clearInterval(socket)
                reject(e)
              }
            })
          }
          if (text.startsWith('SELECT pg_is_in_recovery() AS r')) {
            // like PostgreSQL 14+, the answer also carries the current in_hot_standby (when the server reports it)
            const r = server.inRecovery ?? server.hotStandby ?? false
            const ro = server.defaultReadOnly ?? false
            if (server.hotStandby !== undefined) {
              client.hotStandby = r
              client.defaultReadOnly = ro
            }
            return Promise.resolve({ rows: [{ r, ro }] })
          }
          return new Promise((resolve, reject) => {
            // A real hung statement keeps its socket open, and so the process alive: model that with a ref'd handle.
            let socket: NodeJS.Timeout | undefined
            kill = (e) => {
              clearInterval(socket)
              reject(e)
            }
            try {
              const out = server.onQuery?.(text, typeof q === 'string' ? undefined : q.values) ?? { rows: [], command: 'SELECT', rowCount: 0 }
              if (out === 'hang') socket = setInterval(() => {}, 1_000)
              else resolve(out)
            } catch (err) {
              reject(err)
            } finally {
              // PostgreSQL 14+ reports a changed default_transaction_read_only with the answer (ParameterStatus,
              // protocol-flow.html#PROTOCOL-ASYNC): e.g. after ALTER SYSTEM … and a reload.
              if (server.hotStandby !== undefined) client.defaultReadOnly = server.defaultReadOnly ?? false
            }
          })
        },
        release: (err?: unknown) => {
          if (!this.busy.has(client)) throw new Error('double release')
          this.busy.delete(client)
          if (err === undefined && !this.ended && !client.destroyed) this.idle.add(client)
        },
      }
      this.busy.add(client)
      return client
    }
    async end(): Promise<void> {
      this.ended = true
      this.idle.clear()
    }
  }
  return { Pool: FakePool, pools }
}
