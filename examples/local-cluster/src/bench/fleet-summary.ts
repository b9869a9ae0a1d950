// The fleet benchmark's figures (`npm run bench:fleet`): what a fleet of HaPgClients, each as an app
// process would run it, asks of the Patroni members, from the counters every client reports.

/** What one client of the fleet reports, from its `stats()`. */
export interface WorkerReport {
  /** `pid:index`: the process and the client's index in it. */
  readonly id: string
  /** `stats().counters.restCalls`: every Patroni REST call this client made so far. */
  readonly restCalls: number
  /** `stats().leader?.name`, or null. */
  readonly leader: string | null
  readonly leaseValid: boolean
  /** When (epoch ms) its last write was acknowledged; 0 before the first. */
  readonly lastAckAt: number
  /** Writes that failed after the client's deadline (nothing is retried beyond the client itself). */
  readonly failed: number
  /** When (epoch ms) its last `leaderChanged` event came (the grant of a new leader's first lease); 0 before any. */
  readonly leaderChangedAt: number
  /** When (epoch ms) the first write after that was acknowledged; 0 before it. */
  readonly firstAckAfterChangeAt: number
}

/** What one fleet process sends every report interval: its clients' reports, and how late its event loop ran meanwhile (the worst, in ms). */
export interface WorkerMessage {
  readonly reports: readonly WorkerReport[]
  readonly loopDelayMs: number
}

/** One phase of one round: REST calls between two snapshots of the fleet, and how long it lasted. */
export interface PhaseFigures {
  readonly clients: number
  readonly ms: number
  /** Per client: median, min and max of its REST calls per second. */
  readonly perClient: { readonly median: number; readonly min: number; readonly max: number }
  /** The whole fleet's REST calls per second over all members. */
  readonly total: number
}

/** REST calls per second between two snapshots taken `ms` apart; a client missing from either is left out. */
export function phaseFigures(before: readonly WorkerReport[], after: readonly WorkerReport[], ms: number): PhaseFigures {
  if (!(ms > 0)) throw new RangeError(`a phase must last a positive time, not ${ms} ms`)
  const start = new Map(before.map((r) => [r.id, r.restCalls]))
  const rates = after.flatMap((r) => {
    const from = start.get(r.id)
    return from === undefined ? [] : [((r.restCalls - from) * 1000) / ms]
  })
  if (rates.length === 0) throw new RangeError('no client is in both snapshots')
  return {
    clients: rates.length,
    ms,
    perClient: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
    total: rates.reduce((a, b) => a + b, 0),
  }
}

/**
 * Whether a client followed the failover: it holds a lease on a leader other than `old` and a write of
 * its was acknowledged after the fault.
 */
export function followed(report: WorkerReport, old: string, faultAt: number): boolean {
  return report.leaseValid && report.leader !== null && report.leader !== old && report.lastAckAt > faultAt
}

/** The median of a non-empty list (the mean of the middle two for an even length). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('the median of nothing')
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** `median [min–max]` of a list, with `digits` decimals; just the value for one. */
export function spread(xs: readonly number[], digits = 0): string {
  const f = (x: number): string => x.toFixed(digits)
  if (xs.length === 1) return f(xs[0] as number)
  const lo = Math.min(...xs)
  const hi = Math.max(...xs)
  return `${f(median(xs))} [${f(lo)}–${f(hi)}]`
}

/**
 * CPU time (user + system, ms) of a process from its `/proc/<pid>/stat` line: fields 14 and 15, in
 * clock ticks (proc(5)). The command name (field 2) is in parentheses and may hold spaces, so the
 * fields are counted from the last `)`.
 */
export function cpuMsFromStat(stat: string, ticksPerSecond: number): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(rest[11])
  const stime = Number(rest[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new RangeError(`not a /proc/<pid>/stat line: ${JSON.stringify(stat.slice(0, 80))}`)
  return ((utime + stime) * 1000) / ticksPerSecond
}

/** Each process's CPU use between two readings (name → CPU ms) `ms` apart, in % of one core; the mean over the processes in both. */
export function meanCpuPercent(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, ms: number): number {
  if (!(ms > 0)) throw new RangeError(`a phase must last a positive time, not ${ms} ms`)
  const shares = [...after].flatMap(([name, cpu]) => {
    const from = before.get(name)
    return from === undefined ? [] : [((cpu - from) * 100) / ms]
  })
  if (shares.length === 0) throw new RangeError('no process is in both readings')
  return shares.reduce((a, b) => a + b, 0) / shares.length
}
