import type { RequestRecord } from './load-generator.js'

/** Figures of a set of requests. Latencies in ms; `non2xx` counts unanswered requests too. */
export interface LoadSummary {
  readonly sent: number
  readonly ok: number
  readonly non2xx: number
  readonly noAnswer: number
  /** Non-2xx answers that are not a clean 503 problem+json with Retry-After (unanswered ones included). */
  readonly unclean: number
  readonly byStatus: Readonly<Record<string, number>>
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  /** Longest time without an acknowledged PUT, from the first request to the last answer. */
  readonly longestWriteGapMs: number
  /** When that gap started (epoch ms). */
  readonly longestWriteGapFrom: number
}

/** The `p`-th percentile (nearest rank) of `values`; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number
}

const isOk = (r: RequestRecord): boolean => r.status >= 200 && r.status < 300

/** Summarizes records (see {@link LoadSummary}). */
export function summarize(records: readonly RequestRecord[]): LoadSummary {
  const latencies = records.map((r) => r.endedAt - r.sentAt)
  const byStatus: Record<string, number> = {}
  for (const r of records) byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1
  const start = Math.min(...records.map((r) => r.sentAt))
  const end = Math.max(...records.map((r) => r.endedAt))
  const acks = records.filter((r) => r.method === 'PUT' && isOk(r)).map((r) => r.endedAt).sort((a, b) => a - b)
  let gap = 0
  let gapFrom = start
  let prev = start
  for (const at of [...acks, end]) {
    if (at - prev > gap) { gap = at - prev; gapFrom = prev }
    prev = at
  }
  const failed = records.filter((r) => !isOk(r))
  return {
    sent: records.length,
    ok: records.length - failed.length,
    non2xx: failed.length,
    noAnswer: failed.filter((r) => r.status === 0).length,
    unclean: failed.filter((r) => r.problem?.clean !== true).length,
    byStatus,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length === 0 ? 0 : Math.max(...latencies),
    longestWriteGapMs: records.length === 0 ? 0 : gap,
    longestWriteGapFrom: records.length === 0 ? 0 : gapFrom,
  }
}

/** One minute of a long run. */
export interface MinuteFigures {
  readonly minute: number
  readonly requests: number
  readonly errors: number
  readonly p50Ms: number
  readonly p99Ms: number
}

/** Per-minute request count, errors and p50/p99, by when each request was sent, from `startedAt`. */
export function perMinute(records: readonly RequestRecord[], startedAt: number): MinuteFigures[] {
  const buckets: RequestRecord[][] = []
  for (const r of records) (buckets[Math.floor((r.sentAt - startedAt) / 60_000)] ??= []).push(r)
  return Array.from(buckets, (bucket = [], minute) => {
    const latencies = bucket.map((r) => r.endedAt - r.sentAt)
    return { minute, requests: bucket.length, errors: bucket.filter((r) => !isOk(r)).length,
      p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) }
  })
}
