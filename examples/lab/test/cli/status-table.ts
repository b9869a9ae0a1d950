import t from 'tap'
import type { StackStatus } from '@birthday-ha/provisioner'
import { formatStatus, statusJson } from '../../src/cli/status-table.js'

const status: StackStatus = {
  members: [
    { name: 'db1', ip: '10.10.10.10', cluster: 'primary', role: 'leader', state: 'running', timeline: 1 },
    { name: 'db2', ip: '10.10.11.10', cluster: 'primary', role: 'sync_standby', state: 'streaming', lag: 0 },
    { name: 'dr1', ip: '10.20.10.10', cluster: 'dr', role: 'standby_leader', state: 'streaming' },
  ],
  apps: [{ name: 'app1', ip: '10.10.10.20', health: 'healthy' }],
  backups: 'ok',
  healthy: true,
  problems: [],
}

t.test('the status table', async (t) => {
  t.equal(formatStatus(status), [
    'MEMBER  CLUSTER  ROLE            STATE      LAG',
    'db1     primary  leader          running',
    'db2     primary  sync_standby    streaming  0',
    'dr1     dr       standby_leader  streaming',
    '',
    'APP   IP           LOAD BALANCER',
    'app1  10.10.10.20  healthy',
    '',
    'backups: ok',
    'healthy: yes',
  ].join('\n'))
  t.match(formatStatus({ ...status, healthy: false, problems: ['db3 unreachable', 'app2 unhealthy'] }), /healthy: no\n {2}- db3 unreachable\n {2}- app2 unhealthy$/)
})

t.test('status --json lists every member with name and role', async (t) => {
  const j = JSON.parse(statusJson(status)) as { members: { name: string; role: string }[] }
  t.strictSame(j.members.map((m) => [m.name, m.role]), [['db1', 'leader'], ['db2', 'sync_standby'], ['dr1', 'standby_leader']])
})
