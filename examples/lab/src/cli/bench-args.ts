import { parseArgs } from 'node:util'
import type { LabId } from '../layout.js'

/** What `npm run bench:lab --` was asked to do. */
export type BenchCommand =
  | { readonly name: 'help' | 'version' }
  | {
      readonly name: 'run'
      readonly runs: number
      /** Upserts per second per writer. */
      readonly rate: number
      /** Save every writer's raw write log there (re-analyse with local-cluster's dist/bench/analyse.js). */
      readonly opsDir?: string
      /** Leave the lab up at the end (default: down, then the teardown check). */
      readonly keep: boolean
      readonly lab: LabId
    }

export const BENCH_USAGE = `Usage: npm run bench:lab -- [options]

Brings the bench's own lab up (LAB_NAME bench, LAB_SLOT 8 unless set), runs the failover benchmark's
network faults there (the leader partitioned from the other DB hosts; the leader host blackholed) with
HaPgClient, haproxy (docs and tuned), a pinned pool and libpq (pg-native) writing from app1's network
namespace, prints the table, and takes the lab down. Needs pg-native (npm run bench:lab installs it).

Options:
  --runs N           rounds of both faults (default 1; the README's table: 5)
  --rate N           upserts per second per writer (default 200)
  --ops-dir DIR      save every writer's raw write log there
  --keep             leave the lab up at the end
  --help, -h         this text
  --version          the lab's version`

const whole = (name: string, raw: string | undefined, dflt: number, max: number): number | string => {
  const n = Number(raw ?? String(dflt))
  return Number.isInteger(n) && n >= 1 && n <= max ? n : `--${name} must be a whole number from 1 to ${max}, not ${raw}`
}

/** Parse the bench CLI's arguments; what was wrong is returned, never thrown. */
export function parseBenchArgs(argv: readonly string[], env: NodeJS.ProcessEnv): { readonly ok: true; readonly command: BenchCommand } | { readonly ok: false; readonly error: string } {
  let v: { help?: boolean; version?: boolean; keep?: boolean; runs?: string; rate?: string; 'ops-dir'?: string }
  try {
    const options = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' }, keep: { type: 'boolean' }, runs: { type: 'string' }, rate: { type: 'string' }, 'ops-dir': { type: 'string' } } as const
    v = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
  if (v.help === true) return { ok: true, command: { name: 'help' } }
  if (v.version === true) return { ok: true, command: { name: 'version' } }
  const runs = whole('runs', v.runs, 1, 20)
  if (typeof runs === 'string') return { ok: false, error: runs }
  const rate = whole('rate', v.rate, 200, 2_000)
  if (typeof rate === 'string') return { ok: false, error: rate }
  if (v['ops-dir'] === '') return { ok: false, error: '--ops-dir needs a directory' }
  const slot = Number(env['LAB_SLOT'] ?? 8)
  if (!Number.isInteger(slot) || slot < 0 || slot > 255) return { ok: false, error: `LAB_SLOT must be a whole number from 0 to 255, not ${env['LAB_SLOT']}` }
  const lab = { name: env['LAB_NAME'] ?? 'bench', slot }
  return { ok: true, command: { name: 'run', runs, rate, ...(v['ops-dir'] === undefined ? {} : { opsDir: v['ops-dir'] }), keep: v.keep === true, lab } }
}
