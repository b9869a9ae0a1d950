import t from 'tap'
import { archiveCommand, renderPgBackrestConf, restoreCommand } from '../../src/host/pgbackrest.js'
import { backupUnits, etcdUnit, patroniUnit, appUnit } from '../../src/host/units.js'

t.test('pgbackrest.conf for S3 and posix repositories', async (t) => {
  const base = { stanza: 'bday', dataDir: '/var/lib/postgresql/15/birthday', port: 5432, socketDir: '/var/run/birthday-ha', retentionFull: 2 }
  t.matchSnapshot(renderPgBackrestConf({ ...base, repo: { type: 's3', bucket: 'b', region: 'eu-west-1', path: '/birthday-ha/bday' } }), 's3')
  t.matchSnapshot(renderPgBackrestConf({ ...base, repo: { type: 'posix', path: '/tmp/repo' }, logPath: '/tmp/log' }), 'posix')
  t.equal(archiveCommand('bday'), 'pgbackrest --stanza=bday archive-push %p')
  t.equal(restoreCommand('bday'), 'pgbackrest --stanza=bday archive-get %f "%p"')
})

t.test('systemd units', async (t) => {
  t.matchSnapshot([etcdUnit(), patroniUnit(), appUnit(60), ...backupUnits('bday', 'http://10.10.10.10:8008')].map((u) => `# ${u.path}\n${u.content}`).join('\n'), 'units')
})
