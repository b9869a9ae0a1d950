import { execFile } from 'node:child_process'
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import t from 'tap'
import { archiveCommand, renderPgBackrestConf } from '../../src/host/pgbackrest.js'

// Real PostgreSQL 15 and pgBackRest (Debian packages), both run as the `postgres` OS user.
// The rendered archive_command carries no --config (production uses /etc/pgbackrest.conf), so the
// server gets PGBACKREST_CONFIG in its environment; every direct pgbackrest call also passes --config.
const run = promisify(execFile)
const PG_BIN = '/usr/lib/postgresql/15/bin'
const INSTALL = 'install them with scripts/ensure-system-packages.sh at the repository root'
for (const bin of [join(PG_BIN, 'initdb'), '/usr/bin/pgbackrest']) {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: ${INSTALL}`)
}

t.setTimeout(120_000)

const stanza = 'bday'
const dir = mkdtempSync(join(tmpdir(), 'prov-pgbr-'))
const paths = {
  data: join(dir, 'data'),
  restored: join(dir, 'restored'),
  sock: join(dir, 'sock'),
  repo: join(dir, 'repo'),
  log: join(dir, 'log'),
  lock: join(dir, 'lock'),
  conf: join(dir, 'pgbackrest.conf'),
}
const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim())
const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim())
chownSync(dir, uid, gid)

const env = [`PATH=${PG_BIN}:/usr/bin:/bin`, `HOME=${dir}`, `PGBACKREST_CONFIG=${paths.conf}`, `PGBACKREST_LOCK_PATH=${paths.lock}`]
/** Run a command as postgres with a clean environment; a failure carries its stderr. */
const asPostgres = async (cmd: string, args: readonly string[]): Promise<string> => {
  const argv = ['--reuid=postgres', '--regid=postgres', '--init-groups', 'env', '-i', ...env, cmd, ...args]
  try {
    return (await run('setpriv', argv, { cwd: dir, maxBuffer: 16 * 1024 * 1024 })).stdout
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string }
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}`, { cause: err })
  }
}
const pgbackrest = (command: string, ...options: string[]) => asPostgres('pgbackrest', [`--config=${paths.conf}`, `--stanza=${stanza}`, ...options, command])
const psql = async (port: number, sql: string) => (await asPostgres('psql', ['-X', '-At', '-v', 'ON_ERROR_STOP=1', '-h', paths.sock, '-p', String(port), '-d', 'postgres', '-c', sql])).trim()
const pgCtl = (data: string, ...args: string[]) => asPostgres('pg_ctl', ['-D', data, ...args])
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })

t.teardown(async () => {
  for (const data of [paths.restored, paths.data]) {
    if (existsSync(join(data, 'postmaster.pid'))) await pgCtl(data, 'stop', '-m', 'immediate', '-w').catch(() => undefined)
  }
  rmSync(dir, { recursive: true, force: true })
})

t.test('the rendered config archives WAL and a restore replays it', async (t) => {
  const port = await freePort()
  await asPostgres('mkdir', ['-m', '0700', paths.sock, paths.repo, paths.log, paths.lock, paths.restored])
  const conf = renderPgBackrestConf({ stanza, repo: { type: 'posix', path: paths.repo }, dataDir: paths.data, port, socketDir: paths.sock, retentionFull: 1, logPath: paths.log })
  writeFileSync(paths.conf, conf)
  chownSync(paths.conf, uid, gid)

  await asPostgres('initdb', ['-D', paths.data, '-U', 'postgres', '--auth=trust', '--no-sync'])
  appendFileSync(
    join(paths.data, 'postgresql.conf'),
    [
      '',
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${paths.sock}'`,
      'archive_mode = on',
      `archive_command = '${archiveCommand(stanza).replaceAll("'", "''")}'`,
      'fsync = off',
      '',
    ].join('\n'),
  )
  await pgCtl(paths.data, 'start', '-w', '-t', '60', '-l', join(dir, 'pg.log'))

  await pgbackrest('stanza-create')
  await pgbackrest('check')
  await pgbackrest('backup', '--type=full')
  t.match(await pgbackrest('info'), /full backup/, 'a full backup is in the repository')

  await psql(port, 'CREATE TABLE after_backup (id int PRIMARY KEY, note text)')
  await psql(port, "INSERT INTO after_backup SELECT g, 'row ' || g FROM generate_series(1, 100) g")
  const before = Number(await psql(port, 'SELECT archived_count FROM pg_stat_archiver'))
  const segment = await psql(port, 'SELECT pg_walfile_name(pg_switch_wal())')
  let archived = ''
  for (let i = 0; i < 600; i++) {
    const [count = '0', last = '', failed = '0'] = (await psql(port, "SELECT archived_count || '|' || coalesce(last_archived_wal, '') || '|' || failed_count FROM pg_stat_archiver")).split('|')
    if (failed !== '0') throw new Error(`archive_command failed:\n${readFileSync(join(dir, 'pg.log'), 'utf8')}`)
    if (Number(count) > before && last >= segment) {
      archived = last
      break
    }
    await sleep(100)
  }
  t.ok(archived >= segment, `segment ${segment} with the new rows is archived (last ${archived})`)
  await pgCtl(paths.data, 'stop', '-m', 'fast', '-w')

  const port2 = await freePort()
  await pgbackrest('restore', `--pg1-path=${paths.restored}`)
  t.match(readFileSync(join(paths.restored, 'postgresql.auto.conf'), 'utf8'), /restore_command = 'pgbackrest .*archive-get %f "%p"'/, 'restore wrote a restore_command')
  await pgCtl(paths.restored, 'start', '-w', '-t', '60', '-l', join(dir, 'pg-restored.log'), '-o', `-p ${port2} -c archive_mode=off`)
  for (let i = 0; i < 600 && (await psql(port2, 'SELECT pg_is_in_recovery()')) === 't'; i++) await sleep(100)
  t.equal(await psql(port2, 'SELECT pg_is_in_recovery()'), 'f', 'the restored cluster finished recovery and promoted')
  t.equal(await psql(port2, 'SELECT count(*) || ' + "'/'" + ' || max(note) FROM after_backup'), '100/row 99', 'rows written after the backup came back from the WAL archive')
  await pgCtl(paths.restored, 'stop', '-m', 'fast', '-w')
})
