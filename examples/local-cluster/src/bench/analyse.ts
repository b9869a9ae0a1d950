// The failover benchmark's figures, computed from the raw write logs (one per fault and writer), so a
// saved run can be re-analysed: `node examples/local-cluster/dist/bench/analyse.js <BENCH_OPS_DIR>`.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ackOutage, type WriteOp } from './write-load.js'

/**
 * The faults, in table order. The first three run on the local cluster (`npm run bench:failover`); a
 * partition of the leader from the other DB hosts and a blackholed leader host need hosts with networks
 * of their own, and run on the lab (`npm run bench:lab`).
 */
export type Fault = 'switchover' | 'kill -9' | 'SIGSTOP' | 'partition' | 'blackhole'
export const FAULTS: readonly Fault[] = ['switchover', 'kill -9', 'SIGSTOP', 'partition', 'blackhole']
/** Faults undone with the load still running (SIGCONT, heal): the outage window ends there, and the old leader may ack late. */
export const UNDONE_FAULTS: ReadonlySet<Fault> = new Set(['SIGSTOP', 'partition', 'blackhole'])
export const WRITERS: readonly string[] = ['HaPgClient', 'haproxy (docs)', 'haproxy (tuned)', 'pinned pool', 'libpq (pg-native)']

/** Everything one writer saw through one fault. */
export interface FaultLog {
  readonly run: number
  readonly fault: Fault
  readonly writer: string
  /** When the fault was injected. */
  readonly at: number
  /** End of the outage window: the load's end, or (an undone fault) the moment of SIGCONT or of the heal. */
  readonly until: number
  /** When another member first answered `/primary` 200 (NaN if never). */
  readonly promotedAt: number
  /** The old leader's PostgreSQL as {@link ackServer} names it (`address:port`). */
  readonly oldServer: string
  /** After the undo: Patroni gave the leader key back to the old leader (3.0.2's take-back, patroni PR #2689). */
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
  /** Undone faults: writes acknowledged by the old leader after another member answered `/primary` 200, until the undo. */
  readonly lateAcks: number
  /** Undone faults: acknowledged writes of the interim leader lost because 3.0.2 gave the key back to the resumed one. */
  readonly lostToBug: number
}

export function analyse(log: FaultLog): Row {
  const byId = new Map(log.ops.map((o) => [o.id, o]))
  // Take-back: the interim leader is rewound; what it acknowledged is lost to the 3.0.2 bug.
  const toBug = log.takenBack ? log.missing.filter((id) => byId.get(id)?.server !== log.oldServer) : []
  // Only until the undo: after it the old member may legitimately be the leader again (take-back).
  const lateAcks = !UNDONE_FAULTS.has(log.fault) ? 0 : log.ops.filter((o) => o.ok && o.server === log.oldServer && o.end >= log.promotedAt && o.end <= log.until).length
  const outage = ackOutage(log.ops, log.at, log.until)
  return {
    run: log.run, fault: log.fault, writer: log.writer, promotionMs: log.promotedAt - log.at, outageMs: outage.ms,
    backMs: outage.ms === 0 ? 0 : outage.end === undefined ? Number.POSITIVE_INFINITY : outage.end - log.at,
    failed: log.ops.filter((o) => !o.ok).length, lost: log.missing.length - toBug.length, lateAcks, lostToBug: toBug.length,
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => (a === b ? 0 : a - b)) // a === b: Infinity − Infinity is NaN
  return s[Math.floor((s.length - 1) / 2)] as number
}
const ms = (x: number): string => (Number.isFinite(x) ? String(Math.round(x)) : Number.isNaN(x) ? '?' : 'no recovery')

/** The Markdown table: medians, then the range over the runs in brackets. */
export function table(rows: readonly Row[]): string {
  const lines = [
    '| fault | client | Patroni promotion (ms) | write outage (ms) | writes back (ms after the fault) | failed ops | acked writes lost | acks by the old leader after the new one existed | lost to the 3.0.2 take-back |',
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
      const undone = UNDONE_FAULTS.has(fault)
      lines.push(`| ${fault} | ${writer} | ${writer === 'HaPgClient' ? timeCol('promotionMs') : 'same'} | ${timeCol('outageMs')} | ${timeCol('backMs')} | ${col('failed')} | ${col('lost')} | ${undone ? col('lateAcks') : '–'} | ${undone ? col('lostToBug') : '–'} |`)
    }
  }
  return lines.join('\n')
}

/** A saved log, possibly from an older bench: no `run` or `promotedAt`, and servers named by port alone (`oldPort`). */
export type SavedLog = Omit<FaultLog, 'oldServer' | 'ops' | 'run' | 'promotedAt'> & {
  run?: number
  promotedAt?: number
  oldServer?: string
  oldPort?: number
  ops: (Omit<WriteOp, 'server'> & { server?: string | number })[]
}
/** A saved log as {@link analyse} takes it; `file` (`<run>-<fault>-<writer>.json`) gives an old log its run. */
export function fromSaved(raw: SavedLog, file: string): FaultLog {
  const ops = raw.ops.map(({ server, ...o }) => (server === undefined ? o : { ...o, server: String(server) }))
  return { ...raw, run: raw.run ?? Number(file.split('-')[0]), promotedAt: raw.promotedAt ?? Number.NaN, oldServer: raw.oldServer ?? String(raw.oldPort), ops }
}

/* c8 ignore start */ // the CLI: reads a directory of saved logs; what it computes is tested
async function main(dir: string): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'))
  const rows: Row[] = []
  for (const f of files) {
    rows.push(analyse(fromSaved(JSON.parse(await readFile(join(dir, f), 'utf8')) as SavedLog, f)))
  }
  process.stdout.write(`${new Set(rows.map((r) => r.run)).size} run(s), median [min–max]\n${table(rows)}\n`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv[2] ?? '/tmp/bench-failover-ops').catch((err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`)
    process.exit(1)
  })
}
/* c8 ignore stop */
