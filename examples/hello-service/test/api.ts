import t, { type Test } from 'tap'
import { startHelloServer } from './fixtures/hello-server.js'
// Every response below is checked against openapi.json before the test sees it.
import { checkedFetch as fetch, openApi } from './fixtures/checked-fetch.js'

const hello = await startHelloServer({ now: Date.UTC(2024, 5, 15, 12) }) // "today" is 2024-06-15 in UTC
t.teardown(() => hello.close())

async function put(name: string, body: unknown, init: { query?: string; contentType?: string; raw?: string } = {}) {
  return fetch(`${hello.url}/hello/${name}${init.query ?? ''}`, {
    method: 'PUT',
    headers: { 'content-type': init.contentType ?? 'application/json' },
    body: init.raw ?? JSON.stringify(body),
  })
}

async function get(name: string, query = '') {
  return fetch(`${hello.url}/hello/${name}${query}`)
}

async function expectProblem(t: Test, response: Response, status: number) {
  t.equal(response.status, status)
  t.match(response.headers.get('content-type'), /^application\/problem\+json/)
  const problem = (await response.json()) as Record<string, unknown>
  t.match(problem, { status, title: String, detail: String, type: String })
  return problem
}

t.test('PUT stores, GET greets with the days until the birthday', async (t) => {
  const stored = await put('alice', { dateOfBirth: '1990-06-20' })
  t.equal(stored.status, 204)
  t.equal(await stored.text(), '')
  const greeted = await get('alice')
  t.equal(greeted.status, 200)
  t.match(greeted.headers.get('content-type'), /^application\/json/)
  t.strictSame(await greeted.json(), { message: 'Hello, alice! Your birthday is in 5 day(s)' })
})

t.test('PUT again updates the date', async (t) => {
  t.equal((await put('bob', { dateOfBirth: '1990-06-20' })).status, 204)
  t.equal((await put('bob', { dateOfBirth: '1990-06-15' })).status, 204)
  t.strictSame(await (await get('bob')).json(), { message: 'Hello, bob! Happy birthday!' })
})

t.test('birthdays across the year end and on 29 February', async (t) => {
  hello.clock.now = Date.UTC(2023, 11, 31, 23, 59)
  t.teardown(() => void (hello.clock.now = Date.UTC(2024, 5, 15, 12)))
  await put('newyear', { dateOfBirth: '2000-01-01' })
  t.strictSame(await (await get('newyear')).json(), { message: 'Hello, newyear! Your birthday is in 1 day(s)' })
  await put('leapling', { dateOfBirth: '2000-02-29' })
  hello.clock.now = Date.UTC(2023, 2, 1, 0, 0)
  t.strictSame(await (await get('leapling')).json(), { message: 'Hello, leapling! Happy birthday!' })
  hello.clock.now = Date.UTC(2024, 1, 29, 0, 0)
  t.strictSame(await (await get('leapling')).json(), { message: 'Hello, leapling! Happy birthday!' })
})

t.test('usernames are case-insensitive and Unicode-normalized; the greeting uses the name as written', async (t) => {
  t.equal((await put('Zoe%CC%88', { dateOfBirth: '1990-06-16' })).status, 204) // "Zoe" + combining diaeresis
  t.strictSame(await (await get('zo%C3%AB')).json(), { message: 'Hello, zoë! Your birthday is in 1 day(s)' })
  t.strictSame(await (await get('Z%C3%96%C3%8B'.replace('%C3%96', 'O'))).json(), {
    message: 'Hello, ZOË! Your birthday is in 1 day(s)',
  })
})

t.test('an unknown user is a 404 problem', async (t) => {
  const problem = await expectProblem(t, await get('nobody'), 404)
  t.equal(problem['code'], 'USER_NOT_FOUND')
})

t.test('invalid usernames are 400 on PUT and GET', async (t) => {
  for (const name of ['abc123', 'a_b', 'a%20b', 'a-b', "o'neil", 'a'.repeat(65), '%00a', 'a%2Fb']) {
    await expectProblem(t, await put(name, { dateOfBirth: '2000-01-01' }), 400)
    await expectProblem(t, await get(name), 400)
  }
  t.equal((await put('a'.repeat(64), { dateOfBirth: '2000-01-01' })).status, 204)
})

t.test('invalid dates of birth are 400', async (t) => {
  const dates: unknown[] = [
    '2023-02-30', '2021-13-01', '2024-06-15', '2024-06-16', '2999-01-01', '1899-12-31',
    '20000101', '2000-1-1', ' 2000-01-01', '2000-01-01T00:00:00Z', '01/02/2000', '', 20000101, null, true, ['2000-01-01'], {},
  ]
  for (const dateOfBirth of dates) {
    const problem = await expectProblem(t, await put('carol', { dateOfBirth }), 400)
    t.match(problem['code'], /^DOB_/, JSON.stringify(dateOfBirth))
  }
  t.equal((await put('carol', { dateOfBirth: '1900-01-01' })).status, 204)
  t.equal((await put('carol', { dateOfBirth: '2024-06-14' })).status, 204)
})

t.test('the body must be exactly {"dateOfBirth": …}', async (t) => {
  t.equal((await expectProblem(t, await put('dave', {}), 400))['code'], 'BODY_MISSING_DATE_OF_BIRTH')
  t.equal((await expectProblem(t, await put('dave', { dateOfBirth: '2000-01-01', admin: true }), 400))['code'], 'BODY_UNKNOWN_FIELD')
  await expectProblem(t, await put('dave', null, { raw: '{"dateOfBirth":' }), 400)
  await expectProblem(t, await put('dave', null, { raw: '' }), 400)
  await expectProblem(t, await put('dave', ['2000-01-01']), 400)
  await expectProblem(t, await put('dave', '2000-01-01'), 400)
  await expectProblem(t, await put('dave', { dateOfBirth: '2000-01-01' }, { contentType: 'text/plain' }), 415)
  await expectProblem(t, await put('dave', { dateOfBirth: 'x'.repeat(20_000) }), 413)
  await expectProblem(t, await get('dave'), 404) // nothing was stored by any of these
})

t.test('?tz decides "today"; an unknown zone is 400', async (t) => {
  await put('erin', { dateOfBirth: '1990-06-16' })
  // 2024-06-15T12:00Z is already 2024-06-16 at UTC+14.
  t.strictSame(await (await get('erin', '?tz=Pacific/Kiritimati')).json(), { message: 'Hello, erin! Happy birthday!' })
  t.strictSame(await (await get('erin', '?tz=America/New_York')).json(), {
    message: 'Hello, erin! Your birthday is in 1 day(s)',
  })
  t.equal((await expectProblem(t, await get('erin', '?tz=Mars/Olympus_Mons'), 400))['code'], 'TIME_ZONE_UNKNOWN')
  await expectProblem(t, await get('erin', '?tz='), 400)
  await expectProblem(t, await get('erin', '?tz=UTC&tz=Europe/Paris'), 400)
  // A date that is already in the past at UTC+14 but still "today" in UTC is accepted there and refused in UTC.
  t.equal((await put('frank', { dateOfBirth: '2024-06-15' }, { query: '?tz=Pacific/Kiritimati' })).status, 204)
  await expectProblem(t, await put('frank', { dateOfBirth: '2024-06-15' }), 400)
})

t.test('routing: unknown paths are 404, wrong methods 405 with Allow', async (t) => {
  await expectProblem(t, await fetch(`${hello.url}/nope`), 404)
  await expectProblem(t, await fetch(`${hello.url}/hello`), 404)
  await expectProblem(t, await fetch(`${hello.url}/hello/a/b`), 404)
  const response = await fetch(`${hello.url}/hello/alice`, { method: 'DELETE' })
  await expectProblem(t, response, 405)
  t.match(response.headers.get('allow'), /GET/)
  t.match(response.headers.get('allow'), /PUT/)
})

t.test('SQL injection is refused by validation, and harmless anyway', async (t) => {
  const payloads = ["x'; DROP TABLE birthdays; --", "x' OR '1'='1", 'x"); DELETE FROM birthdays; --']
  for (const payload of payloads) {
    await expectProblem(t, await put(encodeURIComponent(payload), { dateOfBirth: '2000-01-01' }), 400)
    await expectProblem(t, await get(encodeURIComponent(payload)), 400)
    await expectProblem(t, await put('mallory', { dateOfBirth: payload }), 400)
  }
  // Past validation, the statements are parameterized: the payload is stored as plain data.
  const { BirthdayStore } = await import('../src/birthday-store.js')
  const store = new BirthdayStore(hello.database)
  for (const payload of payloads) {
    await store.save(payload, payload, '2000-01-01')
    t.strictSame(await store.find(payload), { dateOfBirth: '2000-01-01' })
  }
  const { rows } = await hello.admin.query<{ n: string }>('SELECT count(*) AS n FROM birthdays')
  t.ok(Number(rows[0]?.n) > payloads.length, 'the table and its other rows are still there')
})

t.test('a GET sent after a PUT was acknowledged always sees it (coalesced reads are never stale)', async (t) => {
  for (let round = 0; round < 30; round++) {
    const day = (round % 28) + 1
    const expectedDays = (Date.UTC(2025, 0, day) - Date.UTC(2024, 5, 15)) / 86_400_000
    const expected = `Hello, grace! Your birthday is in ${expectedDays} day(s)`
    const background = Array.from({ length: 10 }, () => get('grace'))
    t.equal((await put('grace', { dateOfBirth: `1990-01-${String(day).padStart(2, '0')}` })).status, 204)
    const after = await Promise.all(Array.from({ length: 10 }, () => get('grace')))
    const messages = await Promise.all(after.map(async (response) => ((await response.json()) as { message: string }).message))
    t.strictSame(new Set(messages), new Set([expected]), `round ${round}: every read after the ack sees the new date`)
    await Promise.all(background)
  }
  // And the values do change with the writes (the check above is not vacuous).
  await put('grace', { dateOfBirth: '1990-06-15' })
  t.strictSame(await (await get('grace')).json(), { message: 'Hello, grace! Happy birthday!' })
  await put('grace', { dateOfBirth: '1990-06-17' })
  t.strictSame(await (await get('grace')).json(), { message: 'Hello, grace! Your birthday is in 2 day(s)' })
})

t.test('health, readiness and metrics', async (t) => {
  t.equal((await fetch(`${hello.url}/healthz`)).status, 200)
  t.equal((await fetch(`${hello.url}/readyz`)).status, 200)
  const metrics = await (await fetch(`${hello.url}/metrics`)).text()
  t.match(metrics, /http_request_duration_seconds_bucket\{[^}]*route="\/hello\/:username"/)
  t.match(metrics, /http_requests_in_flight/)
  t.match(metrics, /process_resident_memory_bytes/)
  t.match(metrics, /^hello_ready 1$/m)
})

t.test('readiness is 503 when the database is unreachable', async (t) => {
  await hello.database.close()
  const response = await fetch(`${hello.url}/readyz`)
  t.equal(response.status, 503)
  t.match(await (await fetch(`${hello.url}/metrics`)).text(), /^hello_ready 0$/m)
  t.equal((await fetch(`${hello.url}/healthz`)).status, 200, 'liveness does not depend on the database')
  const unavailable = await expectProblem(t, await get('alice'), 503)
  t.equal(unavailable['code'], 'DATABASE_UNAVAILABLE')
  const write = await put('alice', { dateOfBirth: '1990-06-20' })
  t.equal(write.headers.get('retry-after'), '1')
  await expectProblem(t, write, 503)
})

t.test('GET /openapi.json serves the checked-in OpenAPI 3.1 description', async (t) => {
  const response = await fetch(`${hello.url}/openapi.json`)
  t.equal(response.status, 200)
  t.match(response.headers.get('content-type'), /^application\/json/)
  t.strictSame(await response.json(), openApi.document)
})

t.test('the responses of this file, all checked against openapi.json', async (t) => {
  t.ok(openApi.seen.size >= 15, `${openApi.seen.size} distinct documented responses reached`)
  const unreached = openApi.documented().filter((r) => !openApi.seen.has(r))
  // 408/431 are reached by test/hostile/slow-and-oversized.ts over raw sockets; 500 only by a bug.
  t.comment(`documented responses this file does not reach: ${unreached.join(', ')}`)
  for (const reached of ['PUT /hello/{username} 204', 'GET /hello/{username} 200', 'PUT /hello/{username} 400', 'GET /hello/{username} 404',
    'PUT /hello/{username} 413', 'PUT /hello/{username} 415', 'PUT /hello/{username} 503', 'GET /readyz 503', 'NotFound 404', 'MethodNotAllowed 405']) {
    t.ok(openApi.seen.has(reached), reached)
  }
})
