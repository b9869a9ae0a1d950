import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createLogger } from '@birthday-ha/http-adapter'
import { loadConfig, type Config } from '../src/config.js'
import { startEmbeddedPostgres } from '../src/embedded-postgres.js'
import { startService } from '../src/service.js'
import { freePort } from './fixtures/free-port.js'
// Every response below is checked against openapi.json before the test sees it.
import { checkedFetch as fetch } from './fixtures/checked-fetch.js'

function config(env: Record<string, string>): Config {
  const loaded = loadConfig({ PORT: '0', DRAIN_DELAY_MS: '0', LOG_LEVEL: 'silent', ...env })
  if (!loaded.ok) throw new Error(loaded.message)
  return loaded.config
}

t.test('start-up waits for a database that comes up late, then serves', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hello-late-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  // Known credentials, so the service can be pointed at the database before it exists.
  await writeFile(join(dir, 'credentials.json'), JSON.stringify({ superuserPassword: 'late-super', appPassword: 'late-app' }))
  const port = await freePort()
  const lines: string[] = []
  const starting = startService(
    config({ DATABASE_URL: `postgres://postgres:late-super@127.0.0.1:${port}/postgres`, STARTUP_TIMEOUT_MS: '20000' }),
    { logger: createLogger({ level: 'info', write: (line) => lines.push(line) }), now: () => Date.UTC(2024, 0, 1), signals: false, exit: () => {} },
  )
  await new Promise((resolve) => setTimeout(resolve, 500))
  const db = await startEmbeddedPostgres({ dir, port })
  t.teardown(() => db.stop())
  const server = await starting
  t.teardown(() => server.close())
  t.ok(lines.some((line) => line.includes('database not reachable yet')), 'it logged the wait')
  t.ok(lines.some((line) => line.includes('the service connects as a superuser')), 'it warns about a superuser role')
  const put = await fetch(`${server.url}/hello/late`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: '{"dateOfBirth":"2000-01-02"}',
  })
  t.equal(put.status, 204)
  t.strictSame(await (await fetch(`${server.url}/hello/late`)).json(), { message: 'Hello, late! Your birthday is in 1 day(s)' })
})

t.test('a database error that retrying cannot fix fails the start at once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hello-badauth-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const port = await freePort()
  const db = await startEmbeddedPostgres({ dir, port })
  t.teardown(() => db.stop())
  const started = Date.now()
  await t.rejects(
    startService(config({ DATABASE_URL: `postgres://postgres:wrong@127.0.0.1:${port}/postgres`, STARTUP_TIMEOUT_MS: '20000' }), {
      signals: false,
    }),
    { code: '28P01' },
  )
  t.ok(Date.now() - started < 10_000, 'no retrying on bad credentials')
})
