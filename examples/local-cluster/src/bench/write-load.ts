/** One way of sending a write: HaPgClient, haproxy, a pinned pool, libpq. */
export interface Writer {
  readonly label: string
  /** Upserts row `id`; resolves only when the server acknowledged it, optionally with the acknowledging server (`address:port`). */
  write(id: number): Promise<string | void>
  close(): Promise<void>
}

/** One write as the load saw it. */
export interface WriteOp {
  readonly id: number
  readonly start: number
  end: number
  ok: boolean
  code?: string
  /** The PostgreSQL server (`address:port`, as it sees itself) that acknowledged the write, when the writer reports it. */
  server?: string
}

export interface LoadReport {
  readonly ops: readonly WriteOp[]
  readonly acked: readonly number[]
  readonly failed: number
}

/**
 * The idempotent upsert every writer sends: running it twice leaves the same row. It returns the
 * acknowledging server's address and port: the port tells the local cluster's members apart (all on
 * 127.0.0.1), the address the lab's (all on 5432).
 */
export const UPSERT_SQL = (table: string): string => `INSERT INTO ${table} (id, at) VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at RETURNING host(inet_server_addr()) AS addr, inet_server_port() AS port`

/** The acknowledging server (`address:port`) from an {@link UPSERT_SQL} result. */
export const ackServer = (result: { rows: { addr?: unknown; port?: unknown }[] }): string | undefined => {
  const row = result.rows[0]
  const port = Number(row?.port)
  return typeof row?.addr === 'string' && Number.isInteger(port) && port > 0 ? `${row.addr}:${port}` : undefined
}
/** How {@link ackServer} names a member: the address and port its PostgreSQL sees itself on. */
export const serverOf = (m: { readonly host: string; readonly port: number }): string => `${m.host}:${m.port}`
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
        if (typeof server === 'string') op.server = server
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

/** A client-visible write outage; see {@link ackOutage}. */
export interface Outage {
  /** Milliseconds; `Infinity` when the writer stopped acknowledging for good ("no recovery"). */
  readonly ms: number
  /** The last acknowledgement before the outage (or `from`). */
  readonly start: number
  /** The first acknowledgement after it; `undefined` without recovery. */
  readonly end?: number
}

/**
 * The longest time in `[from, until]` in which the writer acknowledged no write, counted from its last
 * acknowledgement before (at 200 writes/s a healthy writer acknowledges every ~5 ms). With every baseline
 * retrying, a write rarely fails; it waits, so what the application sees is acknowledgements stopping.
 * "No recovery" (`Infinity`) when nothing was acknowledged in the last `recoveredWithinMs` before `until`.
 *
 * Before: the outage ran from the first failed or stalled write (stalled: slower than twice the p99
 * before the fault) to the first acknowledgement "after recovery". With retries and a slow p99 under
 * load that found a short run of slow writes ahead of the real gap (a 243 ms "outage" for a 9.4 s gap).
 */
export function ackOutage(ops: readonly WriteOp[], from: number, until: number, recoveredWithinMs = 1_000): Outage {
  const upTo = ops.filter((o) => !o.ok || o.end <= until)
  const gap = longestAckGap(upTo, from)
  const lastAck = upTo.reduce((last, o) => (o.ok && o.end > last ? o.end : last), Number.NEGATIVE_INFINITY)
  if (until - lastAck > recoveredWithinMs) return { ms: Number.POSITIVE_INFINITY, start: Number.isFinite(lastAck) ? lastAck : from }
  return { ms: gap.gapMs, start: gap.start, end: gap.end }
}
