import t from 'tap'
import { errorCodes, HttpError } from '../src/errors.js'

t.test('defaults: title is the reason phrase, type about:blank, code by status', async (t) => {
  const err = new HttpError(404)
  t.equal(err.status, 404)
  t.equal(err.title, 'Not Found')
  t.equal(err.message, 'Not Found')
  t.equal(err.type, 'about:blank')
  t.equal(err.code, 'HTTP_NOT_FOUND')
  t.equal(err.detail, undefined)
  t.strictSame(err.headers, {})
  t.equal(err.name, 'HttpError')
  t.ok(err instanceof Error)
  t.notOk('cause' in err, 'no cause unless given')
})

t.test('every status with a default code maps to a catalogue entry of that status', async (t) => {
  for (const status of [400, 404, 405, 408, 413, 415, 431, 500, 503]) {
    const { code } = new HttpError(status)
    t.equal(errorCodes[code as keyof typeof errorCodes].status, status, `${status} → ${code}`)
  }
  t.equal(new HttpError(409).code, 'HTTP_ERROR')
  t.equal(new HttpError(599).title, 'Error', 'no reason phrase → "Error"')
})

t.test('options are kept, cause preserved, message is the detail', async (t) => {
  const cause = new Error('db down')
  const err = new HttpError(503, {
    title: 'Database unavailable',
    detail: 'try again',
    type: 'https://example.com/problems/db',
    headers: { 'Retry-After': '5' },
    code: 'HELLO_DB_DOWN',
    cause,
  })
  t.equal(err.message, 'try again')
  t.equal(err.title, 'Database unavailable')
  t.equal(err.type, 'https://example.com/problems/db')
  t.equal(err.code, 'HELLO_DB_DOWN')
  t.strictSame(err.headers, { 'Retry-After': '5' })
  t.equal(err.cause, cause)
})

t.test('an explicit undefined cause is still a cause', async (t) => {
  t.ok('cause' in new HttpError(400, { cause: undefined }))
})

t.test('status must be an integer 400..599 (programmer error)', async (t) => {
  for (const bad of [200, 399, 600, 404.5, Number.NaN]) {
    t.throws(() => new HttpError(bad), RangeError, String(bad))
  }
})

t.test('catalogue: codes are their own keys, statuses are 4xx/5xx or null', async (t) => {
  for (const [key, entry] of Object.entries(errorCodes)) {
    t.equal(entry.code, key)
    t.ok(entry.status === null || (entry.status >= 400 && entry.status < 600), key)
    t.ok(entry.summary.length > 0)
  }
})
