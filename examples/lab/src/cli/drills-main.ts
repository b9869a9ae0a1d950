#!/usr/bin/env node
/* c8 ignore start */ // `npm run drills`: the drills on real hosts; the arguments, the judging and the figures are unit-tested
import { readFileSync } from 'node:fs'
import { drDrill, type DrDrillReport } from '../drills/dr-drill.js'
import { drillLab } from '../drills/drill-lab.js'
import { formatDrillTable, type DrillRow } from '../drills/drill-row.js'
import { DRILLS } from '../drills/drills.js'
import { runDrill } from '../drills/run-drill.js'
import { DRILLS_USAGE, parseDrillsArgs } from './drills-args.js'
import { up } from './lab-commands.js'
import type { CliIo } from './lab-cli.js'
import { openLabSession } from './lab-session.js'

const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }
const DR_DELAY_MS = 20
const t0 = performance.now()
const minutes = (): string => `${((performance.now() - t0) / 60_000).toFixed(1)} min`

function formatDr(r: DrDrillReport): string {
  const s = (ms: number | undefined): string => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`)
  const w = r.wayBack
  return [
    '| DR drill | requests | non-2xx (unclean) | RTO (first failed → first acknowledged write) | fault → first write on DR | promote-dr | RPO (acked writes missing on DR) | DR lag before the fault |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    `| power-off of db1-db3 under load, promote-dr | ${r.summary.sent} | ${r.summary.non2xx} (${r.summary.unclean}) | ${s(r.rtoMs)} | ${s(r.faultToFirstAckMs)} | ${s(r.promoteMs)} | ${r.lost} of ${r.checked} users | ${r.lagBytes} bytes, ${r.lagMs} ms |`,
    '',
    '| way back | requests | non-2xx (unclean) | longest write gap | no writer (dr1 demoted → db1 promoted) | rebuild-primary | fail-back | acked writes lost | dr1\'s writes carried back |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    'error' in w
      ? `| boot db1-db3, rebuild-primary, fail-back | stopped: ${w.error} | | | | | | | |`
      : `| boot db1-db3, rebuild-primary, fail-back | ${w.summary.sent} | ${w.summary.non2xx} (${w.summary.unclean}) | ${s(w.summary.longestWriteGapMs)} | ${s(w.noWriterMs)} | ${s(w.rebuildMs)} | ${s(w.failBackMs)} | ${w.lost} of ${w.checked} users | ${w.carried - w.notCarried} of ${w.carried} users |`,
    '',
    'Steps run:',
    ...r.steps.map((x, i) => `${i + 1}. ${x}`),
  ].join('\n')
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseDrillsArgs(argv)
  if (!parsed.ok) {
    io.err(`drills: ${parsed.error}\n\n${DRILLS_USAGE}\n`)
    return 2
  }
  const c = parsed.command
  if (c.name !== 'run') {
    io.out(c.name === 'help' ? `${DRILLS_USAGE}\n` : `${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`)
    return 0
  }
  const id = { name: process.env['LAB_NAME'] ?? 'drills', slot: Number(process.env['LAB_SLOT'] ?? 6) }
  const log = (line: string): void => void io.err(`[${minutes()}] ${line}\n`)
  await using l = await openLabSession({ id, log })
  const rows: DrillRow[] = []
  let dr: DrDrillReport | undefined
  let code = 0
  try {
    await up(l, { out: io.err, err: io.err })
    const x = drillLab(l, log)
    await l.target.lab.delayDr(DR_DELAY_MS)
    const o = { powerOffs: c.powerOffs, drDelayMs: DR_DELAY_MS }
    for (const d of DRILLS.filter((y) => c.drills.includes(y.id))) rows.push(await runDrill(x, d, o))
    if (c.dr) dr = await drDrill(x)
  } catch (err) {
    io.err(`drills: ${(err as { code?: string }).code ?? ''} ${(err as Error).stack ?? String(err)}\n`)
    code = 1
  } finally {
    if (!c.keep) {
      await l.target.infrastructure.destroy(l.stack, { confirm: true }).catch((err: unknown) => io.err(`down failed: ${String(err)}\n`))
      const td = await l.target.lab.checkTeardown()
      if (!td.ok) io.err(`drills: the teardown left ${td.leftovers.join(', ')}\n`)
    }
  }
  io.out(`\n${new Date().toISOString().slice(0, 10)}, \`npm run drills${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\`, ${minutes()}; lab timing profile ttl 20 s, loop_wait 1 s, retry_timeout 5 s; load 20 req/s, half PUTs, through the lab's load balancer\n\n`)
  if (rows.length > 0) io.out(`${formatDrillTable(rows)}\n\n`)
  if (dr !== undefined) io.out(`${formatDr(dr)}\n`)
  const missed = rows.filter((r) => !r.met).length
  const back = dr?.wayBack
  const backLost = back === undefined || 'error' in back ? 0 : back.lost + back.notCarried
  io.out(`# drills: ${rows.length - missed}/${rows.length} met their targets${dr === undefined ? '' : `; DR drill RPO ${dr.lost} writes; way back: ${backLost} writes lost`}\n`)
  return code !== 0 ? code : missed > 0 || (dr?.lost ?? 0) > 0 || backLost > 0 || (back !== undefined && 'error' in back) ? 1 : 0
}

process.exitCode = await main(process.argv.slice(2))
/* c8 ignore stop */
