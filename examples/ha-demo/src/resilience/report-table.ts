/** One measured scenario: a row of the resilience table. */
export interface ScenarioRow {
  readonly id: number
  readonly title: string
  readonly requests: number
  readonly non2xx: number
  /** Non-2xx that were not a clean 503 problem+json with Retry-After (no answer counts as unclean). */
  readonly unclean: number
  readonly longestWriteGapMs: number
  readonly p99Ms: number
  /** Acknowledged PUTs missing or wrong on the leader at the end. */
  readonly lost: number
  readonly target: string
  readonly met: boolean
  readonly notes: readonly string[]
}

/** `200×633, 204×314, no answer×2`: the answers by status (0 = no answer). */
export function statusNote(byStatus: Readonly<Record<string, number>>): string {
  return `statuses ${Object.entries(byStatus).map(([k, v]) => `${k === '0' ? 'no answer' : k}×${v}`).join(', ')}`
}

/** One log line for a measured row. */
export function describeRow(row: ScenarioRow): string {
  return `scenario ${row.id}: ${row.met ? 'target met' : 'TARGET NOT MET'} (${row.requests} requests, ${row.non2xx} non-2xx, ` +
    `${row.unclean} unclean, write gap ${row.longestWriteGapMs} ms, p99 ${row.p99Ms} ms, ${row.lost} acked writes lost; ${row.notes.join('; ')})`
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`
const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** The rows as a markdown table, one row per scenario, notes in the last column. */
export function formatTable(rows: readonly ScenarioRow[]): string {
  const head = '| # | scenario | requests | non-2xx (unclean) | longest write gap | p99 | acked writes lost | target | met | notes |'
  const rule = '|---|---|---:|---:|---:|---:|---:|---|---|---|'
  const lines = rows.map((r) => `| ${r.id} | ${cell(r.title)} | ${r.requests} | ${r.non2xx} (${r.unclean}) | ${seconds(r.longestWriteGapMs)} | ` +
    `${r.p99Ms} ms | ${r.lost} | ${cell(r.target)} | ${r.met ? 'yes' : '**NO**'} | ${cell(r.notes.join('; '))} |`)
  return [head, rule, ...lines].join('\n')
}
