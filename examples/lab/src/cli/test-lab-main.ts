#!/usr/bin/env node
/* c8 ignore start */ // `npm run test:lab`: the whole path on real hosts; its parts are unit-tested, this is their end-to-end run
import type { Stack } from '@birthday-ha/provisioner'
import { verifyAcks, type RequestRecord } from '@birthday-ha/ha-demo/dist/index.js'
import { drillLab } from '../drills/drill-lab.js'
import { formatDrillTable } from '../drills/drill-row.js'
import { DRILLS, type Drill } from '../drills/drills.js'
import { runDrill, runTag, underDrillLoad } from '../drills/run-drill.js'
import type { CliIo } from './lab-cli.js'
import { openLabSession } from './lab-session.js'

const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }
const t0 = performance.now()
const at = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`
const results: { name: string; ok: boolean; detail: string }[] = []
const check = (name: string, ok: boolean, detail: string): void => {
  results.push({ name, ok, detail })
  io.out(`${ok ? 'ok' : 'not ok'} ${results.length} - ${name}: ${detail} (${at()})\n`)
}

const failed = (rs: readonly RequestRecord[]): RequestRecord[] => rs.filter((r) => r.status < 200 || r.status >= 300)

async function main(stack?: Stack): Promise<number> {
  void stack
  const id = { name: process.env['LAB_NAME'] ?? 'labtest', slot: Number(process.env['LAB_SLOT'] ?? 7) }
  // The plain image: configuration installs every package, as on a fresh AWS host (`lab up` bakes them in).
  await using l = await openLabSession({ id, log: (line) => io.err(`${line}\n`), image: 'plain' })
  try {
    await l.target.lab.ensureTools()
    await l.target.infrastructure.apply(l.stack)
    await l.publishNode()
    const first = await l.configure()
    check('apply + host configuration', first.leader !== '', `leader ${first.leader}, ${first.written.length} files written, ${first.started.length} units started`)
    const a1 = await l.target.infrastructure.apply(l.stack)
    check('second apply changes no host', a1.created.length === 0 && a1.updated.length === 0, `created ${a1.created.length}, updated ${a1.updated.length}, kept ${a1.kept.length}`)
    const second = await l.configure()
    check('second configure: 0 files rewritten, 0 units restarted, no config patched',
      second.written.length === 0 && second.restarted.length === 0 && second.started.length === 0 && second.reconfigured.length === 0,
      `${second.written.length} files rewritten, ${second.restarted.length} units restarted, ${second.started.length} started, ${second.reconfigured.length} patched${second.written.length > 0 ? `: ${second.written.join(', ')}` : ''}`)
    const first0 = await l.artifact()
    await l.deploy(first0)
    check('first deploy: the API answers through the load balancer', (await fetch(`${await l.target.loadBalancer.url(l.stack)}/readyz`)).status === 200, `release ${first0.version}`)
    const x = drillLab(l, (line) => io.err(`${line}\n`))
    await l.target.lab.delayDr(20)

    const artifact = await l.artifact()
    const deployUsers = `tldeploy${runTag()}`
    const d = await underDrillLoad(x, deployUsers, async () => void (await l.deploy(artifact)))
    const dFailed = failed(d.load.records)
    check('deploy under load: 0 failed requests', d.summary.sent > 0 && dFailed.length === 0, `${d.summary.sent} requests, ${dFailed.length} failed${dFailed.length > 0 ? `: ${JSON.stringify(dFailed.slice(0, 3))}` : ''}`)
    const dv = verifyAcks(d.load.users, await x.stored(await x.leader(), deployUsers))
    check('deploy under load: every acknowledged write read back', dv.checked > 0 && dv.lost.length === 0, `${dv.checked} users checked, ${dv.lost.length} lost`)

    // drills 1 and 3 of `npm run drills` (power-off of the leader; partition of the leader): the hard parts are
    // checked here; their timing targets are printed with the rows
    const failovers = [
      { drill: DRILLS[0] as Drill, what: 'power-off of the leader under load: a new leader, the DR standby following it before the old one boots, the old one rejoined' },
      { drill: DRILLS[2] as Drill, what: 'partition of the leader under load: a new leader, the DR standby following it before the partition heals, the old leader rejoined' },
    ]
    for (const f of failovers) {
      const row = await runDrill(x, f.drill, { powerOffs: 1, drDelayMs: 20 })
      const hard = row.notes.filter((n) => n.startsWith('MISSED:') && !n.startsWith('MISSED: write gap'))
      check(`${f.what}, 0 acknowledged writes lost, only clean 503s`, hard.length === 0 && row.lost === 0,
        `${row.requests} requests, ${row.non2xx} non-2xx (${row.unclean} unclean), ${row.lost} lost; ${hard.join('; ') || row.notes.join('; ')}`)
      io.out(`# drill ${f.drill.id} row (its target ${row.met ? 'met' : 'missed'}):\n${formatDrillTable([row]).split('\n').map((line) => `# ${line}`).join('\n')}\n`)
    }
  } finally {
    await l.target.infrastructure.destroy(l.stack, { confirm: true }).catch((err: unknown) => io.err(`down failed: ${String(err)}\n`))
    const td = await l.target.lab.checkTeardown()
    check('down leaves nothing behind', td.ok, td.ok ? 'teardown check clean' : td.leftovers.join(', '))
  }
  const bad = results.filter((r) => !r.ok)
  io.out(`# test:lab ${results.length - bad.length}/${results.length} passed in ${at()}\n`)
  return bad.length === 0 ? 0 : 1
}

try {
  process.exitCode = await main()
} catch (err) {
  io.err(`test:lab: ${(err as { code?: string }).code ?? ''} ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
}
/* c8 ignore stop */
