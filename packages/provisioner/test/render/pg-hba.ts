import t from 'tap'
import { renderPgHba, type PgHbaSpec } from '../../src/render/index.js'

t.snapshotFile = new URL('./snapshots/pg-hba.cjs', import.meta.url)

const spec: PgHbaSpec = {
  superuser: 'postgres',
  replication: 'replicator',
  rewind: 'rewind_user',
  app: { username: 'birthday_app', database: 'birthday' },
  clusterCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
  appCidrs: ['10.0.10.0/24', 'fd00::/64'],
}

t.test('least privilege, scram everywhere, reject last', async (t) => {
  const lines = renderPgHba(spec)
  t.matchSnapshot(lines.join('\n'), 'pg_hba lines')
  const fields = lines.map((line) => line.split(' '))
  for (const f of fields) t.ok(f.at(-1) === 'scram-sha-256' || f.at(-1) === 'reject', f.join(' '))
  t.strictSame(fields.filter((f) => f[1] === 'replication' && f.at(-1) !== 'reject').map((f) => f[2]), ['replicator', 'replicator'])
  t.strictSame(fields.filter((f) => f[2] === 'birthday_app').map((f) => [f[1], f[3]]), [
    ['birthday', '10.0.10.0/24'], ['birthday', 'fd00::/64'],
  ])
  t.strictSame(fields.filter((f) => f[2] === 'rewind_user').map((f) => f[1]), ['postgres', 'postgres'])
  const firstReject = fields.findIndex((f) => f.at(-1) === 'reject')
  t.ok(fields.slice(firstReject).every((f) => f.at(-1) === 'reject'), 'nothing is allowed after the first reject')
  t.strictSame(fields.at(-1), ['host', 'replication', 'all', '::/0', 'reject'])
})

t.test('peer for the local superuser: tools running as the OS user postgres need no password', async (t) => {
  const lines = renderPgHba({ ...spec, localSuperuserAuth: 'peer' })
  t.equal(lines[0], 'local all postgres peer')
  t.same(lines.slice(1), renderPgHba(spec).slice(1), 'nothing else changes')
})

t.test('rejects bad CIDRs and names', async (t) => {
  for (const [field, bad] of [
    ['appCidrs[0]', { appCidrs: ['10.0.0.0/33'] }],
    ['appCidrs[0]', { appCidrs: ['fd00::/129'] }],
    ['appCidrs[0]', { appCidrs: ['10.0.0.0/8/1'] }],
    ['appCidrs[0]', { appCidrs: ['10.0.0.0/x'] }],
    ['appCidrs[0]', { appCidrs: ['all'] }],
    ['appCidrs', { appCidrs: [] }],
    ['clusterCidrs', { clusterCidrs: [] }],
    ['app.database', { app: { username: 'birthday_app', database: 'all' + '"' } }],
    ['rewind', { rewind: '' }],
    ['replication', { replication: 'x'.repeat(64) }],
  ] as const) {
    t.throws(() => renderPgHba({ ...spec, ...bad }), { code: 'PROV_RENDER_INVALID_SPEC', field }, field)
  }
})
