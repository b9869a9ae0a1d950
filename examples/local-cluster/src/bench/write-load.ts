/** One way of sending a write: HaPgClient, haproxy, a pinned pool, a multi-host reconnect loop. */
export interface Writer {
  readonly label: string
  /** Upserts row `id`; resolves only when the server acknowledged it, optionally with the acknowledging server's port. */
  write(id: number): Promise<number | void>
  /** Resolves once the writer can write (e.g. the multi-host session is connected). */
  ready?(): Promise<void>
  close(): Promise<void>
}

/** One write as the load saw it. */
export interface WriteOp {
  readonly id: number
  readonly start: number
  end: number
  ok: boolean
  code?: string
  /** The PostgreSQL port that acknowledged the write, when the writer reports it. */
  server?: number
}

export interface LoadReport {
  readonly ops: readonly WriteOp[]
  readonly acked: readonly number[]
  readonly failed: number
}

/** The idempotent upsert every writer sends: running it twice leaves the same row. */
export const UPSERT_SQL = (table: string): string => `INSERT INTO ${table} (id, at) VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at RETURNING inet_server_port() AS port`

/** The acknowledging server's port from an {@link UPSERT_SQL} result. */
export const ackPort = (result: { rows: { port?: unknown }[] }): number | undefined => {
  const port = Number(result.rows[0]?.port)
  return Number.isInteger(port) && port > 0 ? port : undefined
}
export const CREATE_SQL = (table: string): string => `CREATE TABLE IF NOT EXISTS ${table} (id bigint PRIMARY KEY, at timestamptz NOT NULL)`

/**
 * An open-loop write load: one upsert every `1000 / ratePerSec` ms, whatever happens to earlier ones
 * (capped at `maxInFlight`), each with its own id. The acknowledgement log is `acked`.
 */
export class WriteLoad {
  readonly #writer: Writer
  readonly #periodMs: number
  readonly #maxInFlight: number
  readonly #ops: WriteOp[] = []
  readonly #pending = new Set<Promise<void>>()
  #timer: NodeJS.Timeout | undefined
  #next: number

  constructor(writer: Writer, options: { ratePerSec?: number; maxInFlight?: number; firstId?: number } = {}) {
    this.#writer = writer
    this.#periodMs = 1000 / (options.ratePerSec ?? 200)
    this.#maxInFlight = options.maxInFlight ?? 400
    this.#next = options.firstId ?? 1
  }

  start(): void {
    this.#timer = setInterval(() => this.#tick(), this.#periodMs)
  }

  /** Stops issuing writes and waits for those in flight. */
  async stop(): Promise<LoadReport> {
    clearInterval(this.#timer)
    await Promise.all(this.#pending)
    return { ops: this.#ops, acked: this.#ops.filter((o) => o.ok).map((o) => o.id), failed: this.#ops.filter((o) => !o.ok).length }
  }

  #tick(): void {
    if (this.#pending.size >= this.#maxInFlight) return
    const op: WriteOp = { id: this.#next++, start: Date.now(), end: 0, ok: false }
    this.#ops.push(op)
    const p = this.#writer.write(op.id).then(
      (server) => {
        op.ok = true
        if (typeof server === 'number') op.server = server
      },
      (err: unknown) => {
        op.code = String((err as { code?: unknown }).code ?? (err as Error).message)
      },
    ).finally(() => {
      op.end = Date.now()
      this.#pending.delete(p)
    })
    this.#pending.add(p)
  }
}

/** The longest time between two consecutive acknowledgements after `from` (the client-visible write outage). */
export function longestAckGap(ops: readonly WriteOp[], from: number): { gapMs: number; start: number; end: number } {
  const acks = ops.filter((o) => o.ok).map((o) => o.end).sort((a, b) => a - b)
  let best = { gapMs: 0, start: from, end: from }
  let prev = acks.filter((t) => t <= from).at(-1) ?? from
  for (const t of acks) {
    if (t <= from) continue
    if (t - prev > best.gapMs) best = { gapMs: t - prev, start: prev, end: t }
    prev = t
  }
  return best
}

/** A client-visible write outage: from the start of the first failed or stalled write to the first acknowledgement after recovery. */
export interface Outage {
  /** Milliseconds; `Infinity` when the writer never acknowledged a write again before `until` ("no recovery"); 0 when no write went bad. */
  readonly ms: number
  readonly start?: number
  readonly end?: number
  /** A write taking longer than this (ms) counted as stalled, from its start. */
  readonly stallThresholdMs: number
}

/**
 * The longest write outage among writes that were in flight at `from` or started in `[from, until]`.
 *
 * A write is *bad* if it failed, or if its acknowledgement took longer than `stallThresholdMs`:
 * twice the p99 latency of the writes acknowledged in the 3 s before `from`, at least `minStallMs`
 * (default 100 ms, which keeps the shared machine's scheduling noise out). Consecutive bad writes (by
 * start time) form a run. A run's outage lasts from its first write's start to the *recovery*: the
 * first acknowledgement of a write started since, after which no write started fails (a backlog
 * that drains slowly after the recovery is not outage; a writer that acknowledges a few stragglers
 * and then fails again has not recovered). With no recovery before `until` it is "no recovery"
 * (`Infinity`), not 0: a writer that never acknowledges again has the longest outage.
 */
export function writeOutage(ops: readonly WriteOp[], from: number, until: number, minStallMs = 100): Outage {
  const before = ops.filter((o) => o.ok && o.end <= from && o.start >= from - 3_000).map((o) => o.end - o.start).sort((a, b) => a - b)
  const p99 = before.length === 0 ? 0 : (before[Math.min(before.length - 1, Math.floor(before.length * 0.99))] as number)
  const stallThresholdMs = Math.max(minStallMs, 2 * p99)
  const window = ops.filter((o) => (o.start >= from || o.end === 0 || o.end > from) && o.start <= until).sort((a, b) => a.start - b.start)
  const bad = (o: WriteOp): boolean => !o.ok || o.end === 0 || o.end - o.start > stallThresholdMs
  // Recovery must come after the start of the last failed write.
  const lastFailStart = Math.max(Number.NEGATIVE_INFINITY, ...window.filter((o) => !o.ok).map((o) => o.start))
  let best: Outage = { ms: 0, stallThresholdMs }
  for (let i = 0; i < window.length; i++) {
    const first = window[i] as WriteOp
    if (!bad(first) || (i > 0 && bad(window[i - 1] as WriteOp))) continue
    let end = Number.POSITIVE_INFINITY
    for (let j = i; j < window.length; j++) {
      const o = window[j] as WriteOp
      if (o.ok && o.end > 0 && o.end > lastFailStart && o.end <= until && o.end < end) end = o.end
    }
    const ms = end - first.start
    if (ms > best.ms) best = Number.isFinite(end) ? { ms, start: first.start, end, stallThresholdMs } : { ms, start: first.start, stallThresholdMs }
  }
  return best
}
