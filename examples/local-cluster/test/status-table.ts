import t from 'tap'
import { formatStatusTable } from '../src/status-table.js'

t.test('aligned columns, dashes for unknown timeline and lag', async (t) => {
  const table = formatStatusTable([
    { name: 'pg1', apiUrl: 'http://127.0.0.1:25020', host: '127.0.0.1', pgPort: 25010, role: 'leader', state: 'running', timeline: 3, lagBytes: null },
    { name: 'pg2', apiUrl: 'http://127.0.0.1:25021', host: '127.0.0.1', pgPort: 25011, role: 'sync_standby', state: 'streaming', timeline: 3, lagBytes: 0 },
    { name: 'pg-dr', apiUrl: 'http://127.0.0.1:25023', host: '127.0.0.1', pgPort: 25013, role: 'replica', state: 'starting' },
  ])
  t.equal(table, [
    'MEMBER  HOST             ROLE          STATE      TL  LAG (bytes)',
    'pg1     127.0.0.1:25010  leader        running    3   -',
    'pg2     127.0.0.1:25011  sync_standby  streaming  3   0',
    'pg-dr   127.0.0.1:25013  replica       starting   -   -',
  ].join('\n'))
})
