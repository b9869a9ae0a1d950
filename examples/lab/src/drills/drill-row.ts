import type { LoadSummary, RequestRecord, ScenarioRow } from '@birthday-ha/ha-demo/dist/index.js'

/**
 * How long writes may stop in a drill: at most Patroni's promotion plus `slackMs` (a failover drill),
 * or at most `maxMs` (a drill whose fault should not stop writes, or only for the load balancer's detection).
 */
export type GapRule = { readonly kind: 'promotion'; readonly slackMs: number } | { readonly kind: 'fixed'; readonly maxMs: number }

/** A check particular to one drill ("the old leader took no writes back"). */
export interface DrillCheck {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
}

/** What a drill's fault did, as the drill saw it. */
export interface DrillOutcome {
  /** Fault to the new leader's promotion (Patroni's `/history`), one per failover; empty when none was expected. */
  readonly promotionsMs: readonly number[]
  readonly checks: readonly DrillCheck[]
  readonly notes: readonly string[]
}

/** One measured drill: a resilience-table row (`ScenarioRow`, the notes say why it was missed first) plus the promotion. */
export interface DrillRow extends ScenarioRow {
  /** The slowest promotion of the drill, if it had one. */
  readonly promotionMs: number | undefined
}

/**
 * What the failures were, for a row's notes: the answers by status (0 = no answer) and the first
 * unclean one (its method, latency and why it is not a clean 503); nothing when every request passed.
 */
export function failureNotes(records: readonly RequestRecord[]): string[] {
  const failed = records.filter((r) => r.status < 200 || r.status >= 300)
  if (failed.length === 0) return []
  const byStatus = new Map<number, number>()
  for (const r of failed) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1)
  const statuses = `failures by status: ${[...byStatus].map(([k, v]) => `${k === 0 ? 'no answer' : k}×${v}`).join(', ')}`
  const unclean = failed.find((r) => r.problem?.clean !== true)
  return unclean === undefined ? [statuses] : [statuses, `first unclean: ${unclean.method} after ${Math.round(unclean.endedAt - unclean.sentAt)} ms, ${unclean.problem?.detail ?? `status ${unclean.status}`}`]
}

/** The target a gap rule stands for, as the table prints it. */
export function gapTarget(rule: GapRule): string {
  return rule.kind === 'promotion' ? `gap ≤ promotion + ${rule.slackMs / 1000} s` : `gap ≤ ${rule.maxMs / 1000} s`
}

/**
 * Judge one drill: met when no acknowledged write was lost, every failure was a clean 503, the
 * longest write gap is within `rule`, and every check of the drill passed.
 */
export function drillRow(d: { readonly id: number; readonly title: string; readonly gap: GapRule }, s: LoadSummary, lost: number, o: DrillOutcome): DrillRow {
  const promotionMs = o.promotionsMs.length === 0 ? undefined : Math.max(...o.promotionsMs)
  const missed: string[] = []
  if (s.sent === 0) missed.push('no request was sent')
  if (lost > 0) missed.push(`${lost} acknowledged writes lost`)
  if (s.unclean > 0) missed.push(`${s.unclean} failures were not clean 503s`)
  if (d.gap.kind === 'promotion' && promotionMs === undefined) missed.push('no promotion was seen')
  const maxGap = d.gap.kind === 'fixed' ? d.gap.maxMs : (promotionMs ?? 0) + d.gap.slackMs
  if (s.longestWriteGapMs > maxGap) missed.push(`write gap ${s.longestWriteGapMs} ms > ${maxGap} ms`)
  for (const c of o.checks) if (!c.ok) missed.push(`${c.name}: ${c.detail}`)
  const passed = o.checks.filter((c) => c.ok).map((c) => `${c.name}: ${c.detail}`)
  return {
    id: d.id, title: d.title, requests: s.sent, non2xx: s.non2xx, unclean: s.unclean, longestWriteGapMs: s.longestWriteGapMs,
    p99Ms: s.p99Ms, lost, promotionMs, target: `0 lost, clean 503s, ${gapTarget(d.gap)}`, met: missed.length === 0,
    notes: [...missed.map((m) => `MISSED: ${m}`), ...passed, ...o.notes],
  }
}

const seconds = (ms: number | undefined): string => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`)
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** The rows as a markdown table. */
export function formatDrillTable(rows: readonly DrillRow[]): string {
  const head = '| # | drill | requests | non-2xx (unclean) | longest write gap | p99 | acked writes lost | promotion | target | met | notes |'
  const rule = '|---|---|---:|---:|---:|---:|---:|---:|---|---|---|'
  const lines = rows.map((r) => `| ${r.id} | ${cell(r.title)} | ${r.requests} | ${r.non2xx} (${r.unclean}) | ${seconds(r.longestWriteGapMs)} | ` +
    `${r.p99Ms} ms | ${r.lost} | ${seconds(r.promotionMs)} | ${cell(r.target)} | ${r.met ? 'yes' : '**NO**'} | ${cell(r.notes.join('; '))} |`)
  return [head, rule, ...lines].join('\n')
}
