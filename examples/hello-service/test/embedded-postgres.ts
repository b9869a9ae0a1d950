import { createServer } from 'node:net'
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { startEmbeddedPostgres } from '../src/embedded-postgres.js'
import { freePort } from './fixtures/free-port.js'

async function tempDir(t: { teardown(fn: () => unknown): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'hello-embedded-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

t.test('a port already in use is named in the error', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const address = blocker.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await t.rejects(startEmbeddedPostgres({ dir: await tempDir(t), port }), {
    message: `EMBEDDED_PG_PORT ${port} cannot be used (EADDRINUSE): set EMBEDDED_PG_PORT to a free port`,
  })
})

t.test('a data directory whose parents do not exist yet (a fresh clone has no .data/)', async (t) => {
  const base = await tempDir(t)
  await chmod(base, 0o755) // as a checkout would be; mkdtemp makes it 0700
  const db = await startEmbeddedPostgres({ dir: join(base, '.data', 'embedded-pg'), port: await freePort() })
  await db.stop()
  t.equal((await stat(join(base, '.data'))).mode & 0o777, 0o755)
})

t.test('data without its credentials file is refused, not overwritten', async (t) => {
  const dir = await tempDir(t)
  await mkdir(join(dir, 'pgdata'))
  await writeFile(join(dir, 'pgdata', 'PG_VERSION'), '17\n')
  await t.rejects(startEmbeddedPostgres({ dir, port: await freePort() }), { message: /credentials\.json is missing/ })
})

t.test('restart after a crash, a broken config, and wrong credentials', async (t) => {
  const dir = await tempDir(t)
  const port = await freePort()
  const logs: string[] = []
  const db = await startEmbeddedPostgres({ dir, port, log: (line) => logs.push(line) })
  t.match(db.appUrl, /^postgresql:\/\/birthday_app:[^@]+@127\.0\.0\.1:\d+\/birthday$/)
  t.ok(logs.length > 0, 'PostgreSQL output goes to the log function')
  await db.stop()
  await db.stop() // idempotent

  // A crash leaves postmaster.pid behind with a PID that no longer runs.
  await writeFile(join(dir, 'pgdata', 'postmaster.pid'), '999999\n')
  const again = await startEmbeddedPostgres({ dir, port })
  await again[Symbol.asyncDispose]()

  // Credentials that no longer match the data: the start fails and PostgreSQL is stopped again.
  const file = join(dir, 'credentials.json')
  const good = await readFile(file, 'utf8')
  await writeFile(file, JSON.stringify({ ...JSON.parse(good), superuserPassword: 'wrong' }))
  await t.rejects(startEmbeddedPostgres({ dir, port }), { code: '28P01' })
  await writeFile(file, good)

  // A configuration PostgreSQL refuses: the start fails with a clear error.
  await writeFile(join(dir, 'pgdata', 'postgresql.auto.conf'), 'shared_buffers = banana\n')
  await t.rejects(startEmbeddedPostgres({ dir, port }), { message: `embedded PostgreSQL did not start on port ${port}; see the log above` })
})
