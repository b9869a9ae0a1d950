/**
 * A port of pg-pool's own behaviour tests (brianc/node-postgres, packages/pg-pool/test/*.js, pg-pool 3.x)
 * to HaPgClient, on a real PostgreSQL 15: each case names the file it comes from. Most run in static mode
 * (one pool, as pg.Pool); the events also run in Patroni mode (a simulated Patroni REST API, the real
 * server behind every member), where they come from the pool of the current leader epoch.
 *
 * Where HaPgClient deliberately differs, the case says so and asserts what it does instead (README,
 * "As a pg.Pool drop-in"):
 * - a checkout or connection that fails before any statement ran is retried until the failover deadline,
 *   then `HAPG_FAILOVER_TIMEOUT` (cause: pg-pool's error); pg-pool reports the first failure;
 * - a second `end()` resolves (close() is idempotent here); pg-pool rejects it;
 * - an idle client's error with no `error` listener is logged, not thrown (pg.Pool would crash the process);
 * - a query whose connection dies mid-statement is `HAPG_OUTCOME_UNKNOWN` (cause: pg's error);
 * - the checkout starts a microtask later (after the lease check), so counts move one tick later.
 * Not ported: pipelining (index.js), verify / onConnect hooks (verify.js, lifecycle-hooks.js), logging.js,
 * bring-your-own-promise.js, allowExitOnIdle in a child process (idle-timeout-exit.js), and the mocked
 * native client (connection-timeout.js): options HaPgClient does not take, or pg-native, which needs libpq-dev.
 */
import { EventEmitter } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import Cursor from 'pg-cursor'
import QueryStream from 'pg-query-stream'
import t from 'tap'
import { HaPgClient } from '../../src/ha-pg-client.js'
import type { PatroniModeOptions, StaticModeOptions } from '../../src/options.js'
import { FakePatroni, threeMembers } from '../helpers/fake-patroni.js'
import { startPostgres } from '../helpers/real-postgres.js'

t.setTimeout(240_000)
const server = await startPostgres()
t.teardown(() => server.stop())

type Opts = Partial<Omit<StaticModeOptions, 'connectionString'>>
const make = (o: Opts = {}): HaPgClient => new HaPgClient({ connectionString: server.connectionString, failoverDeadlineMs: 2_000, ...o })
/** Patroni mode over a simulated REST API (MockAgent) whose three members all are this real server. */
const patroniMode = (o: Partial<PatroniModeOptions> = {}): { client: HaPgClient; patroni: FakePatroni } => {
  const patroni = new FakePatroni(threeMembers().map((m) => ({ ...m, host: '127.0.0.1', port: server.port })))
  const client = new HaPgClient({
    patroniUrls: ['http://127.0.0.1:8001'],
    dispatcher: patroni.agent,
    pg: { user: 'postgres', database: 'postgres' },
    leaseMs: 400,
    discoveryIntervalMs: 100,
    restTimeoutMs: 80,
    failoverDeadlineMs: 2_000,
    random: () => 0.5,
    ...o,
  })
  return { client, patroni }
}
type Done = (release?: Error | boolean) => void
const connectCb = (db: HaPgClient): Promise<[Error | undefined, pg.PoolClient | undefined, Done]> => new Promise((resolve) => db.connect((...args) => resolve(args)))
/** A TCP server on loopback that accepts and then does `onSocket` (never answer, or hang up). */
const tcpServer = async (onSocket: (s: Socket) => void): Promise<{ port: number; close(): Promise<void> }> => {
  const sockets = new Set<Socket>()
  const srv: Server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
    onSocket(s)
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  return {
    port: (srv.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((resolve) => srv.close(resolve))
    },
  }
}

for (const mode of ['static', 'patroni'] as const) {
  const open = (o: Opts = {}): HaPgClient => (mode === 'static' ? make(o) : patroniMode(o).client)

  t.test(`${mode}: events`, async (t) => {
    // events.js: emits connect before callback
    t.test('connect is emitted before the callback, with the client the callback gets', async (t) => {
      const db = open()
      let emitted: unknown
      db.on('connect', (c) => (emitted ??= c))
      const [err, client, release] = await connectCb(db)
      t.equal(err, undefined)
      t.equal(client, emitted)
      release()
      await db.end()
    })

    // events.js: emits acquire every time a client is acquired; emits release every time a client is released
    t.test('acquire and release: once per checkout, 10 connect() + 10 query() = 20 each', async (t) => {
      const db = open()
      let acquired = 0
      let released = 0
      db.on('acquire', (c) => {
        t.ok(c)
        acquired++
      })
      db.on('release', (err, c) => {
        t.notOk(err instanceof Error)
        t.ok(c)
        released++
      })
      const work: Promise<unknown>[] = []
      for (let i = 0; i < 10; i++) {
        work.push(connectCb(db).then(([, , release]) => release()))
        work.push(db.query('SELECT now()'))
      }
      await Promise.all(work)
      await db.end()
      t.equal(acquired, 20)
      t.equal(released, 20)
    })

    // events.js: emits release with an error if client is released due to an error
    t.test('release carries the error the client was released with', async (t) => {
      const db = open()
      const [, client, release] = await connectCb(db)
      const problem = new Error('problem')
      const seen = new Promise<unknown[]>((resolve) => db.once('release', (...args) => resolve(args)))
      release(problem)
      t.strictSame(await seen, [problem, client])
      await db.end()
    })

    // events.js: emits error and client if an idle client in the pool hits an error; index.js: removes client if it errors in background
    t.test('an idle client hitting an error: error (err, client), err.client set, the client removed', async (t) => {
      const db = open()
      const client = await db.connect()
      client.release()
      const removed = new Promise((resolve) => db.once('remove', resolve))
      const failed = new Promise<[Error, pg.PoolClient]>((resolve) => db.once('error', (...args) => resolve(args)))
      setImmediate(() => client.emit('error', new Error('problem')))
      const [err, errClient] = await failed
      t.equal(err.message, 'problem')
      t.equal(errClient, client)
      t.equal((err as Error & { client?: unknown }).client, client)
      t.equal(await removed, client, 'remove follows, once the client has ended')
      t.equal(db.totalCount, 0)
      await db.end()
    })

    // events.js: does not throw when an error has no listener (differs: pg.Pool itself would throw here)
    t.test('an idle client error with no error listener does not crash', async (t) => {
      const db = open()
      const client = await db.connect()
      client.release()
      t.doesNotThrow(() => client.emit('error', new Error('problem')))
      t.equal(db.idleCount, 0)
      await db.end()
    })
  })

  // submittable.ts: is returned from the query method (disabled upstream: pg.Pool#query does not return it)
  t.test(`${mode}: Submittables through query(), unbuffered`, async (t) => {
    // A target-list SRF is evaluated lazily: 10^9 rows could never be buffered, the first batch comes at once.
    const huge = 'SELECT generate_series(1, 1000000000) AS i'
    t.test('pg-cursor: returned as is, read in batches, the client back in the pool after close()', async (t) => {
      const db = open()
      const cursor = new Cursor<{ i: number }>(huge)
      t.equal(db.query(cursor), cursor)
      t.strictSame(await cursor.read(3), [{ i: 1 }, { i: 2 }, { i: 3 }])
      t.strictSame(await cursor.read(2), [{ i: 4 }, { i: 5 }])
      t.equal(db.idleCount, 0, 'the client is held while the cursor is open')
      await cursor.close()
      t.strictSame([db.totalCount, db.idleCount], [1, 1])
      t.strictSame((await db.query('SELECT 1 AS one')).rows, [{ one: 1 }], 'the session is usable again')
      await db.end()
    })

    t.test('pg-cursor: rowMode array; exhausted, the client goes back by itself', async (t) => {
      const db = open()
      const cursor = db.query(new Cursor<[number]>('SELECT generate_series(1, 3)', [], { rowMode: 'array' }))
      t.strictSame(await cursor.read(10), [[1], [2], [3]])
      while (db.idleCount === 0) await sleep(5)
      t.equal(db.totalCount, 1)
      await db.end()
    })

    t.test('pg-query-stream: rows stream with back-pressure; destroying it early frees the client', async (t) => {
      const db = open()
      const stream = db.query(new QueryStream(huge, [], { batchSize: 50 }))
      let seen = 0
      for await (const row of stream as AsyncIterable<{ i: number }>) {
        t.equal(row.i, ++seen)
        if (seen === 120) break // destroys the stream: the cursor closes its portal
      }
      while (db.idleCount === 0) await sleep(5)
      t.strictSame([db.totalCount, db.idleCount], [1, 1])
      const done = db.query(new QueryStream('SELECT generate_series(1, 1000) AS i'))
      let count = 0
      for await (const _row of done) count++
      t.equal(count, 1_000)
      await db.end()
    })

    t.test('a failing Submittable: its error, and the session is destroyed as pg-pool does after a failed query', async (t) => {
      const db = open()
      const removed = new Promise((resolve) => db.once('remove', resolve))
      const cursor = db.query(new Cursor('SELECT * FROM no_such_table'))
      await t.rejects(cursor.read(1), { code: '42P01' })
      await removed
      t.equal(db.totalCount, 0)
      await db.end()
      await t.rejects(db.query(new Cursor('SELECT 1')).read(1), { code: 'HAPG_CLOSED' }, 'an ended client: the Submittable gets the error')
    })

    t.test('a callback given beside a Submittable is called when it ends, as pg does', async (t) => {
      const db = open()
      const result = await new Promise((resolve) => db.query(new QueryStream('SELECT 1 AS one'), (err, res) => resolve([err, res])).resume())
      t.match(result, [null, { rowCount: 1 }])
      await db.end()
    })
  })
}

t.test('rowMode array is typed as pg types it', async (t) => {
  const db = make()
  const res = await db.query<[number, string]>({ text: 'SELECT 1 AS n, $1::text AS s', values: ['x'], rowMode: 'array' })
  const rows: [number, string][] = res.rows // a compile-time check: QueryArrayResult<[number, string]>
  t.strictSame(rows, [[1, 'x']])
  const viaCallback = await new Promise((resolve) => db.query<[number]>({ text: 'SELECT 2', rowMode: 'array' }, (_err, r) => resolve(r?.rows)))
  t.strictSame(viaCallback, [[2]])
  await db.end()
})

t.test('a custom Client class is what the pools use', async (t) => {
  let made = 0
  class CountingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config)
      made++
    }
  }
  for (const db of [make({ Client: CountingClient }), patroniMode({ Client: CountingClient }).client]) {
    const client = await db.connect()
    t.type(client, CountingClient)
    client.release()
    await db.query('SELECT 1')
    await db.end()
  }
  t.equal(made, 2)
})

t.test('patroni: events come from the pool of each leader epoch', async (t) => {
  const { client: db, patroni } = patroniMode()
  const removed: unknown[] = []
  db.on('remove', (c) => removed.push(c))
  const first = await db.connect()
  first.release()
  const connected = new Promise((resolve) => db.once('connect', resolve))
  patroni.promote('m2', 2) // the same server, a new epoch: a new pool; the old one retires
  while (removed.length === 0) await sleep(20)
  t.equal(db.stats().leader?.name, 'm2')
  t.equal(removed[0], first, 'the retired pool removes its idle client')
  await db.query('SELECT 1')
  t.not(await connected, first, 'the new epoch connects a client of its own')
  await db.end()
})

// events.js: emits "connect" only with a successful connection (differs: retried until the deadline)
t.test('connect is not emitted when the connection fails; the failure is retried, then HAPG_FAILOVER_TIMEOUT', async (t) => {
  class Refusing extends EventEmitter {
    connect(cb: (err: Error) => void): void {
      process.nextTick(() => cb(new Error('bad news')))
    }
    end(cb?: () => void): void {
      cb?.()
    }
  }
  const db = make({ Client: Refusing, failoverDeadlineMs: 300 })
  db.on('connect', () => t.fail('never connected'))
  await t.rejects(db.connect(), { code: 'HAPG_FAILOVER_TIMEOUT', cause: { message: 'bad news' } })
  await db.end()
})

t.test('error handling', async (t) => {
  // error-handling.js: Should complete these queries without dying
  t.test('five failing queries all fail, nothing dies', async (t) => {
    const db = make()
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => db.query("SELECT 'asd'+1")))
    t.strictSame(results.map((r) => r.status), Array(5).fill('rejected'))
    await db.end()
  })

  // error-handling.js: calling release more than once should throw each time (promise and callback forms)
  t.test('a second release throws, each time', async (t) => {
    const db = make()
    const client = await db.connect()
    client.release()
    t.throws(() => client.release())
    t.throws(() => client.release())
    const [err, , done] = await connectCb(db)
    t.equal(err, undefined)
    done()
    t.throws(() => done())
    t.throws(() => done())
    await db.end()
  })

  // error-handling.js: calling connect after end should return an error
  t.test('a query after end() is refused', async (t) => {
    const db = make()
    t.equal((await db.query('SELECT $1::text as name', ['hi'])).rows[0]?.name, 'hi')
    const ending = db.end()
    t.ok(db.ending)
    await t.rejects(db.query('select now()'), { code: 'HAPG_CLOSED' })
    await ending
    await t.rejects(db.query('select now()'), { code: 'HAPG_CLOSED' })
  })

  // error-handling.js: using an ended pool rejects all additional promises / returns an error on all additional callbacks
  t.test('an ended client refuses connect and query (promises and callbacks); end() again resolves (differs)', async (t) => {
    const db = make()
    await db.end()
    await t.rejects(db.connect(), { code: 'HAPG_CLOSED' })
    await t.rejects(db.query('SELECT NOW()'), { code: 'HAPG_CLOSED' })
    await db.end()
    t.match(await new Promise((resolve) => db.query('SELECT *', resolve)), { code: 'HAPG_CLOSED' })
    t.match((await connectCb(db))[0], { code: 'HAPG_CLOSED' })
    t.equal(await new Promise((resolve) => db.end(resolve)), undefined)
  })

  // error-handling.js: error from idle client removes client from pool
  t.test('an error from an idle client removes it', async (t) => {
    const db = make()
    const client = await db.connect()
    t.strictSame([db.totalCount, db.waitingCount, db.idleCount], [1, 0, 0])
    client.release()
    let poolError: Error | undefined
    db.once('error', (err) => (poolError = err))
    let clientError: Error | undefined
    client.once('error', (err) => (clientError = err))
    client.emit('error', new Error('expected'))
    t.equal(clientError?.message, 'expected')
    t.equal(poolError?.message, 'expected')
    t.strictSame([db.idleCount, db.totalCount], [0, 0])
    await db.end()
  })

  // error-handling.js: error from in-use client keeps the client in the pool
  t.test('an error from a checked-out client keeps it (and is not the pool\'s error)', async (t) => {
    const db = make()
    const client = await db.connect()
    let poolError: Error | undefined
    db.once('error', (err) => (poolError = err))
    let clientError: Error | undefined
    client.once('error', (err) => (clientError = err))
    client.emit('error', new Error('expected'))
    t.equal(clientError?.message, 'expected')
    t.equal(poolError, undefined)
    t.strictSame([db.idleCount, db.totalCount], [0, 1])
    client.release()
    await db.end()
  })

  // error-handling.js: passing a function to pool.query calls back with error
  t.test('a function where the query belongs is called back with an error', async (t) => {
    const db = make()
    const untyped = db as unknown as { query(cb: (e: Error) => void): void }
    const err = await new Promise((resolve) => untyped.query(resolve))
    t.type(err, TypeError)
    await db.end()
  })

  // error-handling.js: pool with lots of errors continues to work and provide new clients
  t.test('max 1: twenty failing queries, then a working one', async (t) => {
    const db = make({ pool: { max: 1 } })
    let errors = 0
    for (let i = 0; i < 20; i++) await db.query('invalid sql').catch(() => errors++)
    t.equal(errors, 20)
    t.equal(db.idleCount, 0)
    const res = await db.query('SELECT $1::text as name', ['brianc'])
    t.strictSame(res.rows, [{ name: 'brianc' }])
    await db.end()
  })

  // error-handling.js: should continue with queued items after a connection failure (differs: retried, then HAPG_FAILOVER_TIMEOUT)
  t.test('a server that hangs up: both queued checkouts fail, within the deadline', async (t) => {
    const closing = await tcpServer((s) => s.destroy())
    const db = new HaPgClient({ connectionString: `postgres://postgres@127.0.0.1:${closing.port}/postgres`, pool: { max: 1 }, failoverDeadlineMs: 300 })
    const results = await Promise.allSettled([db.connect(), db.connect()])
    t.match(results, [{ reason: { code: 'HAPG_FAILOVER_TIMEOUT' } }, { reason: { code: 'HAPG_FAILOVER_TIMEOUT' } }])
    await db.end()
    await closing.close()
  })

  // error-handling.js: handles post-checkout client failures in pool.query (differs: the outcome is unknown)
  t.test('the session dies under a running query: the callback gets HAPG_OUTCOME_UNKNOWN', async (t) => {
    const db = make({ pool: { max: 1 } })
    const failed = new Promise((resolve) => db.query("SELECT pg_sleep(5), 'victim'", [], resolve))
    const admin = new pg.Client({ connectionString: server.connectionString })
    await admin.connect()
    await sleep(300)
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%''victim''%' AND pid <> pg_backend_pid()")
    await admin.end()
    t.match(await failed, { code: 'HAPG_OUTCOME_UNKNOWN', cause: { message: /terminat/ } })
    await db.end()
  })
})

t.test('ending', async (t) => {
  // ending.js: ends without being used; ends with a promise
  t.test('ends unused, with a callback and with a promise', async (t) => {
    t.equal(await new Promise((resolve) => make().end(resolve)), undefined)
    await make().end()
  })

  // ending.js: ends with clients
  t.test('ends with clients', async (t) => {
    const db = make()
    t.equal((await db.query('SELECT $1::text as name', ['brianc'])).rows[0]?.name, 'brianc')
    await db.end()
    t.equal(db.totalCount, 0)
  })

  // ending.js: allows client to finish
  t.test('a query in flight finishes before end() resolves', async (t) => {
    const db = make()
    const query = db.query('SELECT $1::text as name', ['brianc'])
    await db.end()
    t.equal((await query).rows[0]?.name, 'brianc')
  })

  // (no pg-pool case) end() waits for a checked-out client to be released, as pg-pool's end does
  t.test('end() waits for checked-out clients', async (t) => {
    const db = make()
    const client = await db.connect()
    let ended = false
    const ending = db.end().then(() => (ended = true))
    await sleep(100)
    t.equal(ended, false)
    t.equal((await client.query('SELECT 1 AS one')).rows[0]?.one, 1, 'the held client still works')
    client.release()
    await ending
    t.equal(ended, true)
  })
})

t.test('index', async (t) => {
  // index.js: works totally unconfigured (callbacks)
  t.test('connect and query with callbacks', async (t) => {
    const db = make()
    const [err, client, release] = await connectCb(db)
    t.equal(err, undefined)
    const res = await new Promise<pg.QueryResult>((resolve, reject) => client?.query('SELECT NOW()', (e, r) => (e ? reject(e) : resolve(r))))
    release()
    t.equal(res.rows.length, 1)
    await new Promise((resolve) => db.end(resolve))
  })

  // index.js: passes props to clients (static mode: a full pg config object, as new pg.Pool(config) takes it)
  t.test('a full pg config in static mode reaches every client', async (t) => {
    const db = new HaPgClient({ pg: { host: '127.0.0.1', port: server.port, user: 'postgres', password: 'unused under trust', database: 'postgres', application_name: 'full-config' } })
    t.strictSame((await db.query('SELECT current_setting($1) AS name', ['application_name'])).rows, [{ name: 'full-config' }])
    const merged = new HaPgClient({ connectionString: server.connectionString, pg: { application_name: 'merged' } })
    t.strictSame((await merged.query("SELECT current_setting('application_name') AS name")).rows, [{ name: 'merged' }])
    await Promise.all([db.end(), merged.end()])
  })

  t.test('client options reach every client (Patroni mode: pg)', async (t) => {
    const withBinary = { user: 'postgres', database: 'postgres', binary: true } // pg takes `binary`; @types/pg does not list it
    const { client: db } = patroniMode({ pg: withBinary })
    const client = await db.connect()
    t.equal((client as unknown as { binary: boolean }).binary, true)
    client.release()
    await db.end()
  })

  // index.js: can run a query with a callback without parameters / with a callback
  t.test('query(text, cb) and query(text, values, cb) and query(config, cb)', async (t) => {
    const db = make()
    const untyped = db as unknown as { query(...a: unknown[]): void }
    const run = (...args: unknown[]): Promise<[unknown, pg.QueryResult | undefined]> =>
      new Promise((resolve) => untyped.query(...args, (err: unknown, res?: pg.QueryResult) => resolve([err, res])))
    t.match(await run('SELECT 1 as num'), [null, { rows: [{ num: 1 }] }])
    t.match(await run('SELECT $1::text as name', ['brianc']), [null, { rows: [{ name: 'brianc' }] }])
    t.match(await run({ text: 'SELECT $1::text as name', values: ['config'] }), [null, { rows: [{ name: 'config' }] }])
    await db.end()
  })

  // index.js: passes connection errors to callback (differs: retried until the deadline)
  t.test('connection errors reach the callback; no dead client stays', async (t) => {
    const db = new HaPgClient({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', failoverDeadlineMs: 300 })
    const [err, res] = await new Promise<unknown[]>((resolve) => db.query('SELECT $1::text as name', ['brianc'], (...a) => resolve(a)))
    t.equal(res, undefined)
    t.match(err, { code: 'HAPG_FAILOVER_TIMEOUT', cause: { code: 'ECONNREFUSED' } })
    t.equal(db.totalCount, 0)
    // index.js: does not pass client to error callback
    const [cerr, client, release] = await connectCb(db)
    t.type(cerr, Error)
    t.equal(client, undefined)
    t.type(release, 'function')
    await db.end()
  })

  // index.js: should not change given options
  t.test('does not change the options it is given', async (t) => {
    const options = { connectionString: server.connectionString, pool: { max: 10 } }
    const db = new HaPgClient(options)
    ;(await db.connect()).release()
    t.strictSame(options, { connectionString: server.connectionString, pool: { max: 10 } })
    await db.end()
  })

  // index.js: does not create promises when connecting / querying / ending
  t.test('callback forms return undefined', async (t) => {
    const db = make()
    // What these forms return is the point here (pg-pool: "does not create promises").
    const untyped = db as unknown as { connect(cb: (...a: unknown[]) => void): unknown; query(text: string, cb: () => void): unknown; end(cb: () => void): unknown }
    await new Promise((resolve) => {
      const returned = untyped.connect((_e, _c, done) => {
        ;(done as () => void)()
        resolve(undefined)
      })
      t.equal(returned, undefined)
    })
    await new Promise((resolve) => t.equal(untyped.query('SELECT 1 as num', () => resolve(undefined)), undefined))
    await new Promise((resolve) => t.equal(untyped.end(() => resolve(undefined)), undefined))
  })

  // index.js: never calls callback syncronously
  t.test('never calls back synchronously', async (t) => {
    const db = make()
    ;(await db.connect()).release()
    let called = false
    const done = new Promise((resolve) =>
      db.connect((_e, client) => {
        called = true
        client?.release()
        resolve(undefined)
      }),
    )
    t.equal(called, false)
    await done
    await db.end()
  })

  // index.js: connects, queries, and disconnects; executes a query directly
  t.test('promises: connect + query + release, and a direct query', async (t) => {
    const db = make()
    const client = await db.connect()
    t.strictSame((await client.query('select $1::text as name', ['hi'])).rows, [{ name: 'hi' }])
    client.release()
    t.strictSame((await db.query('SELECT $1::text as name', ['hi'])).rows, [{ name: 'hi' }])
    await db.end()
  })

  // index.js: properly pools clients; supports just running queries
  t.test('30 checkouts over max 9 use 9 clients; 30 config queries', async (t) => {
    const db = make({ pool: { max: 9 } })
    const res = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const client = await db.connect()
        const r = await client.query('select $1::text as name', ['hi'])
        client.release()
        return r
      }),
    )
    t.equal(res.length, 30)
    t.equal(db.totalCount, 9)
    const queries = await Promise.all(Array.from({ length: 30 }, () => db.query({ text: 'select $1::text as name', values: ['hi'] })))
    t.equal(queries.length, 30)
    await db.end()
  })

  // index.js: recovers from query errors
  t.test('recovers from query errors (each failed client is destroyed, as pg-pool does)', async (t) => {
    const db = make()
    const errors = await Promise.all(Array.from({ length: 30 }, () => db.query('SELECT asldkfjasldkf').catch((e: unknown) => e)))
    t.equal(errors.length, 30)
    t.strictSame([db.totalCount, db.idleCount], [0, 0])
    t.strictSame((await db.query('SELECT $1::text as name', ['hi'])).rows, [{ name: 'hi' }])
    await db.end()
  })
})

t.test('sizing', async (t) => {
  // sizing.js: pool size of 1 can create a single client and use it once / multiple times
  t.test('max 1: one client, used twice; the second checkout waits (one tick later, differs)', async (t) => {
    const db = make({ pool: { max: 1 } })
    t.equal(db.waitingCount, 0)
    const client = await db.connect()
    t.equal((await client.query('SELECT $1::text as name', ['hi'])).rows[0]?.name, 'hi')
    const wait = db.connect()
    await sleep(10)
    t.equal(db.waitingCount, 1)
    client.release()
    const client2 = await wait
    t.equal(client2, client)
    client2.release()
    await db.end()
  })

  // sizing.js: can only send 1 query at a time
  t.test('max 1: twenty queries, one at a time', async (t) => {
    const db = make({ pool: { max: 1 } })
    const text = 'SELECT COUNT(*) as counts FROM pg_stat_activity WHERE query = $1'
    const results = await Promise.all(Array.from({ length: 20 }, () => db.query<{ counts: string }>(text, [text])))
    t.strictSame(results.map((r) => Number(r.rows[0]?.counts)), Array(20).fill(1))
    await db.end()
  })

  // sizing.js: does not remove clients when at or below min; does remove … if maxUses / maxLifetimeSeconds is reached
  t.test('min, maxUses and maxLifetimeSeconds pass through', async (t) => {
    const kept = make({ pool: { max: 1, min: 1, idleTimeoutMillis: 10 } })
    ;(await kept.connect()).release()
    await sleep(30)
    t.equal(kept.idleCount, 1)
    await kept.end()
    const used = make({ pool: { max: 1, min: 1, idleTimeoutMillis: 10, maxUses: 1 } })
    ;(await used.connect()).release()
    await sleep(30)
    t.equal(used.idleCount, 0)
    await used.end()
    const aged = make({ pool: { max: 1, min: 1, idleTimeoutMillis: 10, maxLifetimeSeconds: 1 } })
    const c = await aged.connect()
    await sleep(1_050)
    t.equal(aged.expiredCount, 1, 'expiredCount while held past its lifetime')
    c.release()
    await sleep(30)
    t.equal(aged.idleCount, 0)
    await aged.end()
  })

  // sizing.js: pool size of 2 does (not) remove clients when above (at or below) min; pool min size
  t.test('max 2: idle clients are removed down to min', async (t) => {
    for (const [min, left] of [[2, 2], [1, 1]] as const) {
      const db = make({ pool: { max: 2, min, idleTimeoutMillis: 10 } })
      const a = await db.connect()
      const b = await db.connect()
      a.release()
      b.release()
      await sleep(40)
      t.equal(db.idleCount, left, `min ${min}`)
      await db.end()
    }
  })
})

t.test('idle timeout', async (t) => {
  // idle-timeout.js: should timeout and remove the client
  t.test('an idle client times out and is removed', async (t) => {
    const db = make({ pool: { idleTimeoutMillis: 10 } })
    const removed = new Promise((resolve) => db.once('remove', resolve))
    await db.query('SELECT NOW()')
    await removed
    t.strictSame([db.idleCount, db.totalCount], [0, 0])
    await db.end()
  })

  // idle-timeout.js: times out and removes clients when others are also removed
  t.test('one released with an error, one timed out: both removed', async (t) => {
    const db = make({ pool: { idleTimeoutMillis: 10 } })
    const a = await db.connect()
    const b = await db.connect()
    let removed = 0
    const both = new Promise((resolve) => db.on('remove', () => ++removed === 2 && resolve(undefined)))
    a.release()
    b.release(new Error())
    await both
    t.strictSame([db.idleCount, db.totalCount], [0, 0])
    await db.end()
  })

  // idle-timeout.js: can remove idle clients and recreate them; does not time out clients which are used
  t.test('removed idle clients are recreated; a held client is never timed out', async (t) => {
    const db = make({ pool: { idleTimeoutMillis: 1 } })
    for (let i = 0; i < 5; i++) {
      await db.query('SELECT NOW()')
      await sleep(20)
      t.strictSame([db.idleCount, db.totalCount], [0, 0])
    }
    await db.end()
    const used = make({ pool: { idleTimeoutMillis: 1 } })
    for (let i = 0; i < 5; i++) {
      const client = await used.connect()
      await sleep(10)
      await client.query('SELECT NOW()')
      client.release()
      t.strictSame([used.idleCount, used.totalCount], [1, 1])
    }
    await used.end()
  })
})

t.test('connection timeout', async (t) => {
  const silent = await tcpServer(() => {}) // accepts, never answers the startup packet
  t.teardown(() => silent.close())

  // connection-timeout.js: should callback with an error / reject promise with an error if timeout is passed (differs: HAPG_FAILOVER_TIMEOUT)
  t.test('a server that never answers: the callback and the promise get a timeout', async (t) => {
    const db = new HaPgClient({ connectionString: `postgres://postgres@127.0.0.1:${silent.port}/postgres`, pool: { connectionTimeoutMillis: 50 }, failoverDeadlineMs: 300 })
    const [err, client] = await connectCb(db)
    t.match(err, { code: 'HAPG_FAILOVER_TIMEOUT' })
    t.equal(client, undefined)
    await t.rejects(db.connect(), { code: 'HAPG_FAILOVER_TIMEOUT' })
    t.equal(db.idleCount, 0)
    await db.end()
  })

  // connection-timeout.js: should timeout on checkout of used connection; should timeout on query if all clients are busy; should recover from timeout errors
  t.test('max 1, busy: a checkout and a query time out, then it recovers', async (t) => {
    const db = make({ pool: { max: 1, connectionTimeoutMillis: 100 }, failoverDeadlineMs: 300 })
    const [, , release] = await connectCb(db)
    t.match((await connectCb(db)).slice(0, 2), [{ code: 'HAPG_FAILOVER_TIMEOUT' }, undefined])
    const [qerr, qres] = await new Promise<unknown[]>((resolve) => db.query('select now()', (...a) => resolve(a)))
    t.match(qerr, { code: 'HAPG_FAILOVER_TIMEOUT' })
    t.equal(qres, undefined)
    release()
    t.strictSame((await db.query('select $1::text as name', ['brianc'])).rows, [{ name: 'brianc' }])
    await db.end()
  })

  // connection-timeout.js: continues processing after a connection failure (differs: the failed connect is retried, the call succeeds)
  t.test('a custom Client whose first connect fails: the call is retried and succeeds', async (t) => {
    let calls = 0
    type Connect = (this: pg.Client, cb: (err?: Error) => void) => void
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .call(this)
    const realConnect = pg.Client.prototype.connect as Connect
    class FlakyClient extends pg.Client {}
    ;(FlakyClient.prototype as unknown as { connect: Connect }).connect = function (cb) {
      if (calls++ === 0) setTimeout(() => cb(new Error('Temporary connection failure')), 20)
      else realConnect.call(this, cb)
    }
    const db = make({ Client: FlakyClient, pool: { max: 1, connectionTimeoutMillis: 1_000 } })
    const events: string[] = []
    db.on('retry', (e) => events.push(e.code))
    t.strictSame((await db.query('select $1::text as name', ['brianc'])).rows, [{ name: 'brianc' }])
    t.equal(calls, 2, 'two connects: the failed one, then one probe once its backoff window ended')
    t.ok(events.length >= 1, `retried (${events.length} times: inside the window a checkout fails at once)`)
    await db.end()
  })
})

t.test('releasing clients', async (t) => {
  // releasing-clients.js: removes a client which cannot be queried
  t.test('a client whose connection ended is removed on release; the pool still works', async (t) => {
    const db = make({ pool: { max: 1 } })
    const client = await db.connect()
    t.strictSame([db.totalCount, db.idleCount], [1, 0])
    const errored = new Promise((resolve) => client.once('error', resolve))
    ;(client as unknown as { connection: { end(): void } }).connection.end()
    t.ok(await errored)
    client.release()
    t.strictSame([db.totalCount, db.idleCount], [0, 0])
    t.equal((await db.query('SELECT NOW()')).rows.length, 1)
    await db.end()
  })

  // releasing-clients.js: removes a client which is ending
  t.test('a client being ended is removed on release', async (t) => {
    const db = make({ pool: { max: 1 } })
    const client = await db.connect()
    void client.end()
    client.release()
    t.strictSame([db.totalCount, db.idleCount], [0, 0])
    t.equal((await db.query('SELECT NOW()')).rows.length, 1)
    await db.end()
  })
})
