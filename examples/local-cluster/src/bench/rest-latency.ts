/** One timed `GET /cluster`: when it was sent (epoch ms), how long it took, and whether it got no answer (refused, or none within the timeout). */
export interface LatencySample {
  readonly at: number
  readonly ms: number
  readonly failed: boolean
}

/** p50, p95 and the slowest of some samples, in ms (NaN for none); a failed call counts as the time it took. */
export interface LatencyFigures {
  readonly count: number
  readonly p50: number
  readonly p95: number
  readonly max: number
  readonly failed: number
}

/**
 * Asks every member in `urls` for `GET /cluster` (what the clients' discovery rounds read; Patroni answers
 * it from its DCS view) every `everyMs`, one call per member at a time, and records how long each took
 * (at most `timeoutMs`): how fast the members answer the fleet, seen from beside it.
 */
export function sampleRestLatency(urls: readonly string[], everyMs = 200, timeoutMs = 5_000): { stop(): Promise<LatencySample[]> } {
  const samples: LatencySample[] = []
  let stopped = false
  const loops = urls.map(async (url) => {
    while (!stopped) {
      const at = Date.now()
      const t0 = performance.now()
      const res = await fetch(`${url}/cluster`, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined)
      await res?.arrayBuffer().catch(() => undefined)
      samples.push({ at, ms: Math.round(performance.now() - t0), failed: res === undefined })
      await new Promise((resolve) => setTimeout(resolve, everyMs))
    }
  })
  return {
    stop: async () => {
      stopped = true
      await Promise.all(loops)
      return samples
    },
  }
}

/** The figures of the samples sent in `[from, to)`. */
export function latencyFigures(samples: readonly LatencySample[], from: number, to: number): LatencyFigures {
  const of = samples.filter((s) => s.at >= from && s.at < to)
  const sorted = of.map((s) => s.ms).sort((a, b) => a - b)
  const at = (p: number): number => (sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number))
  return { count: of.length, p50: at(0.5), p95: at(0.95), max: sorted.length === 0 ? Number.NaN : (sorted.at(-1) as number), failed: of.filter((s) => s.failed).length }
}
