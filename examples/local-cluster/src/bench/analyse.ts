// The failover benchmark's figures, computed from the raw write logs (one per fault and writer), so a
// saved run can be re-analysed: `node examples/local-cluster/dist/bench/analyse.js <BENCH_OPS_DIR>`.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ackOutage, type WriteOp } from './write-load.js'

export type Fault = 'switchover' | 'kill -9' | 'SIGSTOP'
export const FAULTS: readonly Fault[] = ['switchover', 'kill -9', 'SIGSTOP']
export const WRITERS: readonly string[] = ['HaPgClient', 'haproxy (docs)', 'haproxy (tuned)', 'pinned pool', 'libpq (pg-native)']

/** Everything one writer saw through one fault. */
export interface FaultLog {
  readonly run: number
  readonly fault: Fault
  readonly writer: string
  /** When the fault was injected. */
  readonly at: number
  /** End of the outage window: the load's end, or (SIGSTOP) the moment of SIGCONT. */
  readonly until: number
  /** When another member first answered `/primary` 200 (NaN if never). */
  readonly promotedAt: number
  /** The old leader's PostgreSQL port. */
  readonly oldPort: number
  /** SIGSTOP: Patroni 3.0.2 gave the leader key back to the resumed leader (patroni PR #2689). */
  readonly takenBack: boolean
  /** Acknowledged ids missing on the final leader. */
  readonly missing: readonly number[]
  readonly ops: readonly WriteOp[]
}

export interface Row {
  readonly run: number
  readonly fault: Fault
  readonly writer: string
  readonly promotionMs: number
  /** {@link ackOutage}: the longest time without an acknowledgement after the fault; Infinity = no recovery. */
  readonly outageMs: number
  /** When the outage ended, in ms after the fault (0 without an outage, Infinity = no recovery). */
  readonly backMs: number
  readonly failed: number
  /** Acknowledged writes missing on the final leader, not caused by the 3.0.2 take-back. */
  readonly lost: number
  /** SIGSTOP: writes acknowledged by the frozen leader after another member answered `/primary` 200, until SIGCONT. */
  readonly lateAcks: number
  /** SIGSTOP: acknowledged writes of the interim leader lost because 3.0.2 gave the key back to the resumed one. */
  readonly lostToBug: number
}

export function analyse(log: FaultLog): Row {
  const byId = new Map(log.ops.map((o) => [o.id, o]))
  // Take-back: the interim leader is rewound; what it acknowledged is lost to the 3.0.2 bug.
  const toBug = log.takenBack ? log.missing.filter((id) => byId.get(id)?.server !== log.oldPort) : []
  // Only while frozen: after SIGCONT the old member may legitimately be the leader again (take-back).
  const lateAcks = log.fault !== 'SIGSTOP' ? 0 : log.ops.filter((o) => o.ok && o.server === log.oldPort && o.end >= log.promotedAt && o.end <= log.until).length
  const outage = ackOutage(log.ops, log.at, log.until)
  return {
    run: log.run, fault: log.fault, writer: log.writer, promotionMs: log.promotedAt - log.at, outageMs: outage.ms,
    backMs: outage.ms === 0 ? 0 : outage.end === undefined ? Number.POSITIVE_INFINITY : outage.end - log.at,
    failed: log.ops.filter((o) => !o.ok).length, lost: log.missing.length - toBug.length, lateAcks, lostToBug: toBug.length,
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => (a === b ? 0 : a - b))
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] as number)
}
const ms = (x: number): string => (Number.isFinite(x) ? String(Math.round(x)) : Number.isNaN(x) ? '?' : 'no recovery')

/** The Markdown table: medians, then the range over the runs in brackets. */
export function table(rows: readonly Row[]): string {
  const lines = [
    '| fault | client | Patroni promotion (ms) | write outage (ms) | writes back (ms after the fault) | failed ops | acked writes lost | acks by the frozen leader after the new one existed | lost to the 3.0.2 take-back |',
    '|---|---|---|---|---|---|---|---|---|',
  ]
  for (const fault of FAULTS) {
    for (const writer of WRITERS) {
      const rs = rows.filter((r) => r.fault === fault && r.writer === writer).sort((a, b) => a.run - b.run)
      if (rs.length === 0) continue
      const range = (xs: readonly number[], f: (x: number) => string): string => {
        const lo = Math.min(...xs)
        const hi = Math.max(...xs)
        return xs.length === 1 ? f(median(xs)) : `${f(median(xs))} [${lo === hi ? f(lo) : `${f(lo)}–${f(hi)}`}]`
      }
      const timeCol = (k: 'outageMs' | 'backMs' | 'promotionMs'): string => range(rs.map((r) => r[k]), ms)
      const col = (k: 'failed' | 'lost' | 'lateAcks' | 'lostToBug'): string => range(rs.map((r) => r[k]), String)
      const sigstop = fault === 'SIGSTOP'
      lines.push(`| ${fault} | ${writer} | ${writer === 'HaPgClient' ? timeCol('promotionMs') : 'same'} | ${timeCol('outageMs')} | ${timeCol('backMs')} | ${col('failed')} | ${col('lost')} | ${sigstop ? col('lateAcks') : '–'} | ${sigstop ? col('lostToBug') : '–'} |`)
    }
  }
  return lines.join('\n')
}

async function main(dir: string): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'))
  const rows: Row[] = []
  for (const f of files) {
    const raw = JSON.parse(await readFile(join(dir, f), 'utf8')) as FaultLog & { run?: number }
    rows.push(analyse({ ...raw, run: raw.run ?? Number(f.split('-')[0]), promotedAt: raw.promotedAt ?? Number.NaN }))
  }
  process.stdout.write(`${new Set(rows.map((r) => r.run)).size} run(s), median [min–max]\n${table(rows)}\n`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv[2] ?? '/tmp/bench-failover-ops').catch((err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`)
    process.exit(1)
  })
}
