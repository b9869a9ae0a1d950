import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
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

/** Starts and stops once, so that the directory holds an initialised cluster. */
async function initialised(t: { teardown(fn: () => unknown): void }): Promise<{ dir: string; port: number }> {
  const dir = await tempDir(t)
  const port = await freePort()
  await (await startEmbeddedPostgres({ dir, port })).stop()
  return { dir, port }
}

t.test('a stale postmaster.pid never blocks the start: a zombie, a reused PID, a process naming the directory, garbage', async (t) => {
  const { dir, port } = await initialised(t)
  const pidFile = join(dir, 'pgdata', 'postmaster.pid')
  // A zombie: `sleep 0.1` exits, and its parent (exec'd into `sleep 30`) never reaps it (proc_pid_stat(5) state Z).
  const parent = spawn('/bin/sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => parent.kill('SIGKILL'))
  const [chunk] = (await once(parent.stdout, 'data')) as [Buffer]
  const zombie = Number(chunk.toString())
  while (!(await readFile(`/proc/${zombie}/stat`, 'utf8')).includes(') Z ')) await new Promise((r) => setTimeout(r, 20))
  // A process that only names the directory in its arguments (a shell, not a postmaster, with another cwd).
  const namer = spawn('/bin/sh', ['-c', 'sleep 30; :', 'sh', '-D', join(dir, 'pgdata')], { stdio: 'ignore' })
  t.teardown(() => namer.kill('SIGKILL'))
  const logs: string[] = []
  for (const pid of [String(zombie), String(process.pid), String(namer.pid), 'garbage']) {
    await writeFile(pidFile, `${pid}\n${join(dir, 'pgdata')}\n`)
    const db = await startEmbeddedPostgres({ dir, port, log: (line) => logs.push(line) })
    await db.stop()
  }
  t.equal(logs.filter((line) => line.startsWith(`removed a stale ${pidFile}`)).length, 4, 'each stale file is removed, and said so')
})

t.test('the postmaster already stopped on its own (Ctrl-C reached the process group): stop() returns at once', async (t) => {
  const dir = await tempDir(t)
  const db = await startEmbeddedPostgres({ dir, port: await freePort() })
  const pid = Number((await readFile(join(dir, 'pgdata', 'postmaster.pid'), 'utf8')).split('\n')[0])
  const gone = new Promise<void>((resolve) => {
    const poll = (): void => void readFile(`/proc/${pid}/stat`).then(() => setTimeout(poll, 20), () => resolve())
    poll()
  })
  process.kill(pid, 'SIGINT') // what the terminal's Ctrl-C does to it: a fast shutdown
  await gone
  await new Promise((r) => setTimeout(r, 100)) // node has reaped it and emitted `exit`
  const started = Date.now()
  await db.stop()
  t.ok(Date.now() - started < 1_000, `stopped in ${Date.now() - started} ms`)
})

t.test('as root, a data directory under a mode-0700 directory is refused before anything starts, naming it', { skip: process.getuid?.() !== 0 && 'only root runs PostgreSQL as another user' }, async (t) => {
  const closed = await tempDir(t) // mkdtemp makes it 0700
  const dir = join(closed, 'embedded-pg')
  await t.rejects(startEmbeddedPostgres({ dir, port: await freePort() }), {
    message: `npm start as root runs PostgreSQL as the postgres user (PostgreSQL refuses root), and that user cannot enter ${closed} (mode 0700) above the data directory (EMBEDDED_PG_DIR) (${closed}): set EMBEDDED_PG_DIR to a directory outside ${closed}, run npm start as a normal user, let postgres through (chmod o+x ${closed}, or setfacl -m u:postgres:x ${closed}), or set DATABASE_URL`,
  })
  t.notOk(existsSync(dir), 'nothing was created')
})
