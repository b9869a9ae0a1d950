import t from 'tap'
import { deepStrictEqual } from 'node:assert/strict'
import fc from 'fast-check'
import { parseUsername } from '@birthday-ha/birthday-core'
import { BirthdayStore } from '../../src/birthday-store.js'
import { startHelloServer } from '../fixtures/hello-server.js'
// Every response below is checked against openapi.json before the test sees it.
import { checkedFetch as fetch } from '../fixtures/checked-fetch.js'

// test/api.ts checks three fixed payloads; this file throws generated ones at every input
// (username, body value, body key, ?tz) and at the store directly.
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
process.on('unhandledRejection', onUnhandled)
t.teardown(() => void process.off('unhandledRejection', onUnhandled))

const hello = await startHelloServer({ now: Date.UTC(2024, 5, 15, 12) })
t.teardown(() => hello.close())
const numRuns = Number(process.env['HOSTILE_RUNS'] ?? 200)
/** Every payload with pg_sleep asks for at least this long: a request faster than it did not run the sleep. */
const sleepSeconds = 3
const maxRequestMs = 1_000

const fragment = fc.constantFrom(
  "'", '"', '`', ';', '--', '/*', '*/', '#', ' ', '\\', '%', '_', '(', ')', ',', '=', '{', '}', '$1', '$$', '::text', 'NULL', '"NULL"', '||',
  "' OR '1'='1", "' OR 1=1 --", "admin'--", "') OR ('a'='a", 'UNION SELECT', ' username_key, date_of_birth FROM birthdays', 'UNION ALL SELECT NULL,NULL--',
  'DROP TABLE birthdays', 'DELETE FROM birthdays', "'); TRUNCATE birthdays; --", `'; SELECT pg_sleep(${String(sleepSeconds)}); --`,
  `(SELECT pg_sleep(${String(sleepSeconds)}))`, `' AND 1=(SELECT 1 FROM pg_sleep(${String(sleepSeconds)}))--`, "E'\\x27'", 'pg_catalog.', 'COPY birthdays TO PROGRAM',
  '\u2019', '\u02bc', 'é', 'İ', '\u200b', '\uff07', '%27', '%00', '\\x00', "\\'", "''", 'CHR(39)', '\r\n', '\t',
)
const letters = /^(?:\p{L}\p{M}*)+$/u
/** Injection-like strings: SQL metacharacters and keywords, never a valid username (at least one non-letter). */
const injection = fc
  .array(fc.oneof({ weight: 3, arbitrary: fragment }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z]{1,6}$/) }), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''))
  .filter((s) => !letters.test(s.normalize('NFC')))

async function timed(url: string, init?: RequestInit): Promise<{ status: number; problem: Record<string, unknown>; ms: number }> {
  const started = performance.now()
  const response = await fetch(url, init)
  const text = await response.text()
  const ms = performance.now() - started
  return { status: response.status, problem: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), ms }
}

const put = (name: string, body: unknown, query = ''): Promise<{ status: number; problem: Record<string, unknown>; ms: number }> =>
  timed(`${hello.url}/hello/${name}${query}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

t.test('injection through the API is refused by validation: 400 on every input, and no request waits for pg_sleep', async (t) => {
  t.equal((await put('mallory', { dateOfBirth: '2000-01-01' })).status, 204)
  let slowest = 0
  await fc.assert(
    fc.asyncProperty(injection, async (payload) => {
      const name = encodeURIComponent(payload)
      const [putName, getName, dobValue, dobSuffix, bodyKey, tzGet, tzPut] = await Promise.all([
        put(name, { dateOfBirth: '2000-01-01' }),
        timed(`${hello.url}/hello/${name}`),
        put('mallory', { dateOfBirth: payload }),
        put('mallory', { dateOfBirth: `2000-01-01${payload}` }),
        put('mallory', { dateOfBirth: '2000-01-01', [payload]: 1 }),
        timed(`${hello.url}/hello/mallory?tz=${name}`),
        put('mallory', { dateOfBirth: '2000-01-01' }, `?tz=${name}`),
      ])
      const answers = {
        'PUT username': putName,
        'GET username': getName,
        'dateOfBirth value': dobValue,
        'dateOfBirth suffix': dobSuffix,
        'body key': bodyKey,
        'tz on GET': tzGet,
        'tz on PUT': tzPut,
      }
      const codes: Record<keyof typeof answers, RegExp> = {
        'PUT username': /^USERNAME_(INVALID_CHARACTERS|TOO_LONG)$/,
        'GET username': /^USERNAME_(INVALID_CHARACTERS|TOO_LONG)$/,
        'dateOfBirth value': /^DOB_FORMAT$/,
        'dateOfBirth suffix': /^DOB_FORMAT$/,
        'body key': /^BODY_UNKNOWN_FIELD$/,
        'tz on GET': /^TIME_ZONE_UNKNOWN$/,
        'tz on PUT': /^TIME_ZONE_UNKNOWN$/,
      }
      for (const [input, answer] of Object.entries(answers) as [keyof typeof answers, (typeof answers)[keyof typeof answers]][]) {
        slowest = Math.max(slowest, answer.ms)
        if (answer.status !== 400 || answer.problem['status'] !== 400 || !codes[input].test(String(answer.problem['code']))) {
          throw new Error(`${input}: ${String(answer.status)} ${JSON.stringify(answer.problem)}`)
        }
        if (answer.ms > maxRequestMs) throw new Error(`${input}: took ${answer.ms.toFixed(0)} ms`)
      }
    }),
    { numRuns },
  )
  t.pass(`${String(numRuns)} payloads refused on 7 inputs each; slowest request ${slowest.toFixed(0)} ms`)
  const greeted = await timed(`${hello.url}/hello/mallory`)
  t.equal(greeted.status, 200, 'the user written before is untouched')
  t.equal(greeted.problem['message'], 'Hello, mallory! Your birthday is in 200 day(s)')
})

/** Keys the table accepts: 1 to 64 code points, no NUL (PostgreSQL text cannot hold it). */
const storableKey = injection.map((s) => Array.from(s.replaceAll('\0', '')).slice(0, 64).join('')).filter((s) => s.length > 0)

t.test('past validation, parameterized statements store injection payloads as plain data', async (t) => {
  const store = new BirthdayStore(hello.database)
  const { rows: before } = await hello.admin.query<{ n: string }>('SELECT count(*) AS n FROM birthdays')
  const saved = new Map<string, string>()
  let slowest = 0
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(storableKey, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 28 }), async (keys, day) => {
      const dateOfBirth = `1999-02-${String(day).padStart(2, '0')}`
      const started = performance.now()
      for (const key of keys) {
        await store.save(key, key, dateOfBirth)
        saved.set(key, dateOfBirth)
      }
      // Concurrent finds are batched into one `= ANY($1::text[])`: array-literal quoting is exercised too.
      const found = await Promise.all([...keys, 'no such key', ...keys].map((key) => store.find(key)))
      slowest = Math.max(slowest, performance.now() - started)
      const expected = [...keys.map(() => ({ dateOfBirth })), undefined, ...keys.map(() => ({ dateOfBirth }))]
      deepStrictEqual(found, expected, 'read back through the batched lookup')
      const { rows } = await hello.admin.query<{ username_key: string; username: string }>(
        'SELECT username_key, username FROM birthdays WHERE username_key = ANY($1::text[]) ORDER BY username_key',
        [keys],
      )
      if (rows.length !== keys.length || rows.some((row) => row.username !== row.username_key || !keys.includes(row.username_key))) {
        throw new Error(`stored ${JSON.stringify(rows)} for ${JSON.stringify(keys)}`)
      }
    }),
    { numRuns },
  )
  t.ok(slowest < sleepSeconds * 1_000, `no pg_sleep ran (slowest round ${slowest.toFixed(0)} ms)`)
  const { rows: after } = await hello.admin.query<{ n: string }>('SELECT count(*) AS n FROM birthdays')
  t.equal(Number(after[0]?.n), Number(before[0]?.n) + saved.size, 'one row per distinct payload, none lost: the table is intact')
  const { rows: versions } = await hello.admin.query<{ version: number }>('SELECT version FROM schema_migrations')
  t.strictSame(versions.map((v) => v.version).sort(), [1, 2], 'schema_migrations is intact')
  const latest = await Promise.all([...saved.keys()].map((key) => store.find(key)))
  t.strictSame(latest, [...saved.values()].map((dateOfBirth) => ({ dateOfBirth })), 'every payload reads back its last write')
})

// Names that lower-case or normalize to something else: U+0130 "İ" lower-cases to "i" + U+0307, two code points.
const trickyLetter = fc.constantFrom('a', 'Z', 'İ', 'ẞ', 'ß', 'Σ', 'ς', 'ǅ', 'ﬀ', 'Ω', 'K', 'Å', 'e\u0301', 'Ꭰ', 'ꭰ', 'ŉ', 'ΐ', 'Ǆ', 'ﬃ', 'ｚ', '𝔸', 'ı')

t.test('every username the validation accepts can be stored and greeted (never a 5xx)', async (t) => {
  const longKeys: string[] = []
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.array(trickyLetter, { minLength: 1, maxLength: 8 }), fc.array(trickyLetter, { minLength: 40, maxLength: 66 })).map((l) => l.join('')), async (raw) => {
      const parsed = parseUsername(raw)
      const stored = await put(encodeURIComponent(raw), { dateOfBirth: '2000-06-16' })
      if (!parsed.ok) {
        if (stored.status !== 400 || stored.problem['code'] !== parsed.error.code) throw new Error(`${JSON.stringify(raw)}: ${String(stored.status)} ${JSON.stringify(stored.problem)}`)
        return
      }
      // Lower-casing can make the key longer than the name (up to 128 code points): it is still stored.
      if (Array.from(parsed.value.key).length > 64) longKeys.push(raw)
      if (stored.status !== 204) throw new Error(`${JSON.stringify(raw)}: ${String(stored.status)} ${JSON.stringify(stored.problem)}`)
      const greeted = await timed(`${hello.url}/hello/${encodeURIComponent(raw)}`)
      if (greeted.status !== 200 || greeted.problem['message'] !== `Hello, ${parsed.value.name}! Your birthday is in 1 day(s)`) {
        throw new Error(`${JSON.stringify(raw)}: GET ${String(greeted.status)} ${JSON.stringify(greeted.problem)}`)
      }
    }),
    { numRuns, examples: [['İ'.repeat(33)], ['İ'.repeat(64)], ['İ'.repeat(32)]] },
  )
  t.ok(longKeys.includes('İ'.repeat(33)) && longKeys.includes('İ'.repeat(64)), '64 × "İ" (a 128 code point key) is stored and greeted')
})

t.test('no unhandled rejections', async (t) => {
  t.strictSame(unhandled, [])
})
