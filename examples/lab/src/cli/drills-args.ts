import { parseArgs } from 'node:util'

/** What `npm run drills --` was asked to do. */
export type DrillsCommand =
  | { readonly name: 'help' | 'version' }
  | {
      readonly name: 'run'
      /** Drill ids (1–8) to run, in order; `dr` is the DR drill, always last (it leaves the lab on the DR cluster). */
      readonly drills: readonly number[]
      readonly dr: boolean
      readonly powerOffs: number
      /** Leave the lab up at the end (default: down, then the teardown check). */
      readonly keep: boolean
    }

export const DRILL_IDS = [1, 2, 3, 4, 5, 6, 7, 8] as const

export const DRILLS_USAGE = `Usage: npm run drills -- [options]

Brings the drills' own lab up (LAB_NAME drills, LAB_SLOT 6 unless set), runs the failure drills under a
paced write load through its load balancer, then the DR drill, prints the table, and takes the lab down.

Options:
  --only LIST        drills to run, e.g. 1,3,dr (default: 1-8 and dr)
  --power-offs N     leader power-offs in drill 8 (default 10)
  --keep             leave the lab up at the end
  --help, -h         this text
  --version          the lab's version`

/** Parse the drills CLI's arguments; what was wrong is returned, never thrown. */
export function parseDrillsArgs(argv: readonly string[]): { readonly ok: true; readonly command: DrillsCommand } | { readonly ok: false; readonly error: string } {
  let v: { help?: boolean; version?: boolean; keep?: boolean; only?: string; 'power-offs'?: string }
  try {
    const p = parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' }, keep: { type: 'boolean' }, only: { type: 'string' }, 'power-offs': { type: 'string' } }, strict: true })
    v = p.values
  } catch (err) {
    return { ok: false, error: (err as Error).message }
  }
  if (v.help === true) return { ok: true, command: { name: 'help' } }
  if (v.version === true) return { ok: true, command: { name: 'version' } }
  const powerOffs = Number(v['power-offs'] ?? '10')
  if (!Number.isInteger(powerOffs) || powerOffs < 1 || powerOffs > 50) return { ok: false, error: `--power-offs must be a whole number from 1 to 50, not ${v['power-offs']}` }
  const items = (v.only ?? [...DRILL_IDS, 'dr'].join(',')).split(',').map((s) => s.trim())
  const bad = items.filter((s) => s !== 'dr' && !DRILL_IDS.some((id) => String(id) === s))
  if (bad.length > 0) return { ok: false, error: `--only takes drill numbers 1-8 and dr (e.g. 1,3,dr), not '${v.only}'` }
  const drills = DRILL_IDS.filter((id) => items.includes(String(id)))
  return { ok: true, command: { name: 'run', drills, dr: items.includes('dr'), powerOffs, keep: v.keep === true } }
}
