import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { freePort } from './fixtures/free-port.js'

// The built entry point, exactly as `npm start` runs it (the test command builds first).
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

function start(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [main, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = stdout.split('\n').find((l) => l.includes('hello service listening'))
      if (line) resolve((JSON.parse(line) as { url: string }).url)
    })
    void exited.then(([code]) => reject(new Error(`exited ${code}: ${stderr}`)))
  })
  listening.catch(() => {}) // a test that expects the exit does not await it
  return { child, exited, listening, output: () => ({ stdout, stderr }) }
}

t.test('--help and --version exit 0', async (t) => {
  const help = start({}, ['--help'])
  t.equal((await help.exited)[0], 0)
  t.match(help.output().stdout, /^usage: npm start .*configured by environment variables/s)
  const version = start({}, ['--version'])
  t.equal((await version.exited)[0], 0)
  t.match(version.output().stdout, /^\d+\.\d+\.\d+\n$/)
})

t.test('a bad variable exits 2 with one line naming it', async (t) => {
  const run = start({ PORT: 'eighty' })
  const [code] = await run.exited
  t.equal(code, 2)
  t.equal(run.output().stderr, 'hello-service: PORT must be an integer from 0 to 65535 (got "eighty")\n')
})

t.test('a TLS file that cannot be read exits 2 with one line naming its variable', async (t) => {
  const run = start({ PATRONI_URLS: 'https://127.0.0.1:1', PGUSER: 'app', PGPASSWORD: 'p', PGDATABASE: 'db', PATRONI_CA_FILE: '/nonexistent/ca.pem' })
  t.equal((await run.exited)[0], 2)
  t.equal(run.output().stderr, 'hello-service: PATRONI_CA_FILE: cannot read /nonexistent/ca.pem (ENOENT)\n')
})

t.test('npm start: embedded PostgreSQL, the API, a clean SIGTERM, and data that survives a restart', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hello-main-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const env = {
    PORT: String(await freePort()),
    EMBEDDED_PG_DIR: dir,
    EMBEDDED_PG_PORT: String(await freePort()),
    DRAIN_DELAY_MS: '100',
  }
  const first = start(env)
  const url = await first.listening
  const put = await fetch(`${url}/hello/ada`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{"dateOfBirth":"1815-12-10"}',
  })
  t.equal(put.status, 400, '1815 is before 1900')
  const ok = await fetch(`${url}/hello/ada`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{"dateOfBirth":"1990-12-10"}',
  })
  t.equal(ok.status, 204)
  first.child.kill('SIGTERM')
  const [code, signal] = await first.exited
  t.equal(code, 0, 'graceful exit')
  t.equal(signal, null)
  const logs = first.output().stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
  t.ok(logs.every((entry) => typeof entry['level'] === 'string' && typeof entry['msg'] === 'string'), 'JSON log lines')
  t.notMatch(first.output().stdout, /1990-12-10/, 'bodies are not logged')

  const second = start(env)
  const again = await second.listening
  const response = await fetch(`${again}/hello/ADA`)
  t.equal(response.status, 200)
  t.match(((await response.json()) as { message: string }).message, /^Hello, ADA! (Your birthday is in \d+ day\(s\)|Happy birthday!)$/)
  second.child.kill('SIGINT')
  t.equal((await second.exited)[0], 0)
})

t.test('a second instance on the same data directory is refused with a clear message', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hello-main-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const env = { EMBEDDED_PG_DIR: dir, EMBEDDED_PG_PORT: String(await freePort()), DRAIN_DELAY_MS: '0' }
  const first = start({ ...env, PORT: String(await freePort()) })
  await first.listening
  const second = start({ ...env, PORT: String(await freePort()) })
  const [code] = await second.exited
  t.equal(code, 1)
  t.match(second.output().stderr, /already runs on .*pgdata/)
  first.child.kill('SIGTERM')
  t.equal((await first.exited)[0], 0)
})

t.test('an unreachable DATABASE_URL fails the start with exit 1', async (t) => {
  const run = start({ DATABASE_URL: `postgres://x:y@127.0.0.1:${await freePort()}/none`, PORT: '0', STARTUP_TIMEOUT_MS: '600' })
  const [code] = await run.exited
  t.equal(code, 1)
  t.match(run.output().stderr, /^hello-service: failed to start: /)
})
