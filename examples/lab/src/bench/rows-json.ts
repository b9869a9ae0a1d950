import type { Row } from '@birthday-ha/local-cluster/bench'

// The worker hands its rows to bench-main.ts as JSON, which has no Infinity ("no recovery") or NaN
// ("no promotion seen"): both travel as strings.
const NON_FINITE = new Set(['Infinity', '-Infinity', 'NaN'])

export const encodeRows = (rows: readonly Row[]): string => JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))

/** The rows of one worker's output line; throws on anything else. */
export function decodeRows(line: string): Row[] {
  const rows = JSON.parse(line, (_k, v: unknown) => (typeof v === 'string' && NON_FINITE.has(v) ? Number(v) : v)) as unknown
  if (!Array.isArray(rows)) throw new Error(`the bench worker printed ${line.slice(0, 200)}, not its rows`)
  return rows as Row[]
}
