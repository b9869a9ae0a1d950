// Regression (found by the lab's freeze drill, issue 9): a PUT whose statement reached the leader just
// before the leader's host froze got no answer for 15 s and more. HaPgClient bounds a call's waits by
// its failover deadline but the statement sent only by a per-call timeout, which the store did not pass:
// the statement waited until its pool was retired. Here a real statement is held by a real lock.
import t from 'tap'
import { startHelloServer } from './fixtures/hello-server.js'

t.test('a statement stuck on the server ends at the DB call bound with a clean 503, and is cancelled there', async (t) => {
  await using hello = await startHelloServer({ dbTimeoutMs: 800 })
  const ok = await fetch(`${hello.url}/hello/held`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"dateOfBirth":"2000-01-01"}' })
  t.equal(ok.status, 204)
  const holder = await hello.admin.connect()
  try {
    await holder.query('BEGIN')
    await holder.query('LOCK TABLE birthdays IN ACCESS EXCLUSIVE MODE')
    for (const [method, body] of [['PUT', '{"dateOfBirth":"2001-02-03"}'], ['GET', undefined]] as const) {
      const started = Date.now()
      const res = await fetch(`${hello.url}/hello/held`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined && { body }) })
      const ms = Date.now() - started
      t.equal(res.status, 503, `${method}: 503`)
      t.equal(res.headers.get('content-type'), 'application/problem+json')
      t.equal(res.headers.get('retry-after'), '1')
      t.ok(ms >= 700 && ms < 5_000, `${method}: answered at the bound, not when the lock went (${ms} ms)`)
    }
    // the cancelled statements are gone from the server: nothing waits on the lock any more
    let waiting = -1
    for (let i = 0; i < 50 && waiting !== 0; i++) {
      const { rows } = await hello.admin.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%birthdays%'")
      waiting = Number(rows[0]?.n)
      if (waiting !== 0) await new Promise((r) => setTimeout(r, 100))
    }
    t.equal(waiting, 0, 'cancelled on the server (CancelRequest), not left running')
  } finally {
    await holder.query('ROLLBACK')
    holder.release()
  }
  const after = await fetch(`${hello.url}/hello/held`)
  t.match(await after.json(), { message: /^Hello, held!/ }, 'the store serves again once the lock is gone')
})
