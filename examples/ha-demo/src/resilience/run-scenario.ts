import { setTimeout as sleep } from 'node:timers/promises'
import { readStored, verifyAcks, type AckVerification } from '../ack-verification.js'
import { httpSender } from '../http-sender.js'
import { LoadGenerator, type RequestRecord } from '../load-generator.js'
import { summarize, type LoadSummary } from '../load-report.js'
import { TIMEOUTS, type Topology } from '../topology.js'
import { randomLetters } from '../usernames.js'
import { watchLeader, type LeaderWatch } from './leader-watch.js'
import { describeRow, type ScenarioRow } from './report-table.js'

/** What a fault sees while it runs. */
export interface FaultContext {
  readonly topology: Topology
  readonly load: LoadGenerator
  readonly watch: LeaderWatch
  readonly log: (line: string) => void
}

/** What the judge of a scenario gets. */
export interface ScenarioOutcome<F> {
  readonly fault: F
  readonly summary: LoadSummary
  readonly records: readonly RequestRecord[]
  readonly verification: AckVerification
  readonly watch: LeaderWatch
}

/** A resilience scenario: a fault run under load, then judged against its target. */
export interface Scenario<F = unknown> {
  readonly id: number
  readonly title: string
  readonly target: string
  /** Runs the fault under load; resolves once it is over (the cluster may still be recovering). */
  act(ctx: FaultContext): Promise<F>
  /** Brings the topology back to full strength before the read-back (e.g. restart a killed member). */
  restore?(ctx: FaultContext, fault: F): Promise<void>
  judge(outcome: ScenarioOutcome<F>): { met: boolean; notes: string[] }
}

/** Load and timing of a run. */
export interface RunOptions {
  readonly ratePerSecond: number
  /** Load before the fault. */
  readonly warmupMs: number
  /** Load after the fault. */
  readonly tailMs: number
  readonly log: (line: string) => void
}

/**
 * Runs one scenario: starts the paced load through haproxy and a leader watch, waits `warmupMs`,
 * runs the fault, keeps the load `tailMs` more, stops it (waiting for every answer), restores the
 * topology, then reads every acknowledged user back from the leader's PostgreSQL and judges.
 */
export async function runScenario<F>(topology: Topology, scenario: Scenario<F>, options: RunOptions): Promise<ScenarioRow> {
  const log = options.log
  await topology.cluster.waitReady()
  const http = httpSender(topology.url)
  const load = new LoadGenerator({ send: http.send, ratePerSecond: options.ratePerSecond, timeoutMs: TIMEOUTS.clientMs,
    userPrefix: randomLetters(8) })
  const watch = await watchLeader(topology.cluster)
  const ctx: FaultContext = { topology, load, watch, log }
  log(`scenario ${scenario.id}: ${scenario.title}`)
  let fault: F
  try {
    load.start()
    await sleep(options.warmupMs)
    fault = await scenario.act(ctx)
    await sleep(options.tailMs)
  } finally {
    await load.stop()
    http.close()
  }
  await scenario.restore?.(ctx, fault)
  await watch.stop()
  await topology.cluster.waitReady()
  const leader = await topology.cluster.leader()
  const stored = await readStored(topology.cluster.pgConnectionString(leader.name, 'app'), [...load.users.keys()])
  const verification = verifyAcks(load.users, stored)
  const summary = summarize(load.records)
  const row = scenarioRow(scenario, summary, verification, scenario.judge({ fault, summary, records: load.records, verification, watch }))
  log(describeRow(row))
  return row
}

/** The table row of a judged scenario; lost writes are listed in the notes (the first 3). */
export function scenarioRow(scenario: Pick<Scenario, 'id' | 'title' | 'target'>, summary: LoadSummary, verification: AckVerification,
  judged: { met: boolean; notes: string[] }): ScenarioRow {
  const lost = verification.lost.slice(0, 3).map((l) => `${l.user}: acked ${l.expected}, found ${l.found ?? 'nothing'}`)
  return {
    id: scenario.id, title: scenario.title, requests: summary.sent, non2xx: summary.non2xx, unclean: summary.unclean,
    longestWriteGapMs: summary.longestWriteGapMs, p99Ms: summary.p99Ms, lost: verification.lost.length, target: scenario.target, met: judged.met,
    notes: [...judged.notes, ...lost, ...(verification.laterUnacked > 0 ? [`${verification.laterUnacked} users hold a later unacknowledged PUT (allowed)`] : [])],
  }
}
