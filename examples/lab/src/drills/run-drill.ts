/* c8 ignore start */ // real hosts: exercised by `npm run drills`; the judging is unit-tested (drill-row.ts)
import { setTimeout as sleep } from 'node:timers/promises'
import { LoadGenerator, httpSender, summarize, verifyAcks, type LoadSummary } from '@birthday-ha/ha-demo/dist/index.js'
import type { DrillLab } from './drill-lab.js'
import { drillRow, failureNotes, type DrillOutcome, type DrillRow } from './drill-row.js'
import type { Drill, DrillOptions } from './drills.js'

/** The paced load every drill runs under: 20 requests/s through the load balancer, half of them PUTs. */
export const DRILL_LOAD = { ratePerSecond: 20, putRatio: 0.5, timeoutMs: 15_000 } as const

/** Letters only (usernames are `\p{L}+`): a tag so that runs never share users. */
export const runTag = (): string => Array.from({ length: 5 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')

/** Runs `during` under the drill load (3 s before, 3 s after); the load's records and users. */
export async function underDrillLoad<T>(x: DrillLab, prefix: string, during: () => Promise<T>): Promise<{ value: T; summary: LoadSummary; load: LoadGenerator }> {
  const url = await x.session.target.loadBalancer.url(x.session.stack)
  if (url === undefined) throw new Error('the load balancer has no URL: is the lab up?')
  const http = httpSender(url)
  const load = new LoadGenerator({ send: http.send, ...DRILL_LOAD, userPrefix: prefix })
  load.start()
  try {
    await sleep(3_000)
    const value = await during()
    await sleep(3_000)
    return { value, summary: summarize(load.records), load }
  } finally {
    await load.stop()
    http.close()
  }
}

/**
 * One drill: wait for a healthy stack, inflict the fault under load, read every acknowledged write
 * back from the leader, put the lab back. A drill that throws is a missed row with the error.
 */
export async function runDrill(x: DrillLab, d: Drill, o: DrillOptions): Promise<DrillRow> {
  await x.waitHealthy()
  const prefix = `drill${runTag()}`
  x.log(`drill ${d.id}: ${d.title}`)
  let outcome: DrillOutcome
  let run: Awaited<ReturnType<typeof underDrillLoad<DrillOutcome>>>
  try {
    run = await underDrillLoad(x, prefix, async () => await d.run(x, o).catch((err: unknown): DrillOutcome => ({ promotionsMs: [], checks: [{ name: 'the drill', ok: false, detail: String(err) }], notes: [] })))
    outcome = run.value
  } finally {
    await x.restore(o.drDelayMs)
  }
  const leader = await x.leader(120_000)
  const v = verifyAcks(run.load.users, await x.stored(leader, prefix))
  const row = drillRow(d, run.summary, v.lost.length, { ...outcome, notes: [...outcome.notes, ...failureNotes(run.load.records)] })
  x.log(`drill ${d.id}: ${row.met ? 'target met' : 'TARGET MISSED'}: ${row.notes.join('; ')}`)
  return row
}
/* c8 ignore stop */
