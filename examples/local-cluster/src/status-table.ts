import type { MemberInfo } from './cluster.js'

/** Formats members as a fixed-width text table: member, host:port, role, state, timeline, lag. */
export function formatStatusTable(members: readonly MemberInfo[]): string {
  const rows = [
    ['MEMBER', 'HOST', 'ROLE', 'STATE', 'TL', 'LAG (bytes)'],
    ...members.map((m) => [
      m.name,
      `${m.host}:${m.pgPort}`,
      m.role,
      m.state,
      m.timeline === undefined ? '-' : String(m.timeline),
      m.lagBytes === undefined || m.lagBytes === null ? '-' : String(m.lagBytes),
    ]),
  ]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')
}
