import type { StackStatus } from '@birthday-ha/provisioner'

const table = (rows: readonly (readonly string[])[]): string[] => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd())
}

/** The status for people: one line per database member and per app host, then backups and problems. */
export function formatStatus(s: StackStatus): string {
  const members = table([['MEMBER', 'CLUSTER', 'ROLE', 'STATE', 'LAG'], ...s.members.map((m) => [m.name, m.cluster, m.role, m.state, m.lag === undefined ? '' : String(m.lag)])])
  const apps = table([['APP', 'IP', 'LOAD BALANCER'], ...s.apps.map((a) => [a.name, a.ip, a.health])])
  return [...members, '', ...apps, '', `backups: ${s.backups}`, s.healthy ? 'healthy: yes' : `healthy: no\n${s.problems.map((p) => `  - ${p}`).join('\n')}`].join('\n')
}

/** `status --json`: every database member with `name` and Patroni `role` (and the rest of the status). */
export function statusJson(s: StackStatus): string {
  return JSON.stringify({ members: s.members, apps: s.apps, backups: s.backups, healthy: s.healthy, problems: s.problems }, null, 2)
}
