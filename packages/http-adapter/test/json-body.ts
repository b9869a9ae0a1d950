import t from 'tap'
import { Registry } from 'prom-client'
import { createApp } from '../src/app.js'
import { HttpError } from '../src/errors.js'
import { isJsonMediaType, parseJsonObject } from '../src/json-body.js'
import { captureLogger } from './fixtures/capture-logger.js'

function echoApp(bodyLimitBytes?: number) {
  const { logger, lines } = captureLogger()
  const app = createApp({
    logger,
    registry: new Registry(),
    ...(bodyLimitBytes === undefined ? {} : { bodyLimitBytes }),
    routes: [{
      method: 'POST',
      path: '/echo',
      handler: async (ctx) => {
        const first = ctx.json()
        t.equal(ctx.json(), first, 'json() reads the body once and returns the same promise')
        return { status: 200, body: { got: await first } }
      },
    }],
  })
  return { app, lines }
}

const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  ({ method: 'POST', url: '/echo', headers, body })

t.test('a JSON object is parsed', async (t) => {
  const { app } = echoApp()
  const res = await app.inject(post('{"dateOfBirth":"2000-01-01","n":[1,2]}'))
  t.equal(res.status, 200)
  t.strictSame(res.json(), { got: { dateOfBirth: '2000-01-01', n: [1, 2] } })
})

t.test('+json media types and parameters are accepted, case-insensitively', async (t) => {
  const { app } = echoApp()
  for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/merge-patch+json', ' application/json ;x=y']) {
    t.equal((await app.inject(post('{}', { 'content-type': type }))).status, 200, type)
  }
})

t.test('other or missing content types → 415', async (t) => {
  const { app } = echoApp()
  for (const headers of [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/jsonx' }, { 'content-type': 'multipart/form-data+json' }]) {
    const res = await app.inject(post('{}', headers))
    t.equal(res.status, 415, JSON.stringify(headers))
    t.match(res.json(), { code: 'HTTP_UNSUPPORTED_MEDIA_TYPE', status: 415 })
  }
})

t.test('content-encoded bodies → 415; identity is fine', async (t) => {
  const { app } = echoApp()
  t.equal((await app.inject(post('{}', { 'content-type': 'application/json', 'content-encoding': 'gzip' }))).status, 415)
  t.equal((await app.inject(post('{}', { 'content-type': 'application/json', 'content-encoding': 'Identity' }))).status, 200)
})

t.test('malformed, empty, non-object, or non-UTF-8 bodies → 400 HTTP_BAD_JSON', async (t) => {
  const { app } = echoApp()
  const cases: [string, string | Buffer, string][] = [
    ['malformed', '{"a":', 'The body is not valid JSON.'],
    ['empty', '', 'The body is empty.'],
    ['array', '[1]', 'The body must be a JSON object.'],
    ['string', '"s"', 'The body must be a JSON object.'],
    ['number', '1', 'The body must be a JSON object.'],
    ['null', 'null', 'The body must be a JSON object.'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 'The body is not valid UTF-8.'],
    ['overlong UTF-8', Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]), 'The body is not valid UTF-8.'],
  ]
  for (const [name, body, detail] of cases) {
    const res = await app.inject(post(body))
    t.equal(res.status, 400, name)
    t.strictSame(res.json(), { type: 'about:blank', title: 'Bad Request', status: 400, detail, code: 'HTTP_BAD_JSON' }, name)
  }
})

t.test('a declared Content-Length over the limit → 413 and Connection: close, before reading', async (t) => {
  const { app } = echoApp(10)
  const res = await app.inject(post('{"a":"0123456789"}'))
  t.equal(res.status, 413)
  t.equal(res.headers['connection'], 'close')
  t.match(res.json(), { code: 'HTTP_PAYLOAD_TOO_LARGE', detail: 'The body exceeds the limit of 10 bytes.' })
})

t.test('a chunked body over the limit → 413 and Connection: close', async (t) => {
  const { app } = echoApp(10)
  const res = await app.inject(post('{"a":"0123456789"}', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }))
  t.equal(res.status, 413)
  t.equal(res.headers['connection'], 'close')
})

t.test('exactly at the limit is fine; default limit is 16 KiB', async (t) => {
  t.equal((await echoApp(10).app.inject(post('{"a":"12"}'))).status, 200)
  const { app } = echoApp()
  const fits = JSON.stringify({ a: 'x'.repeat(16_384 - 8) })
  t.equal(Buffer.byteLength(fits), 16_384)
  t.equal((await app.inject(post(fits))).status, 200)
  t.equal((await app.inject(post(JSON.stringify({ a: 'x'.repeat(16_384 - 7) })))).status, 413)
})

t.test('the JSON parser message (which quotes the body) stays out of the response', async (t) => {
  const { app } = echoApp()
  const res = await app.inject(post('{"secret": nope}'))
  t.notMatch(res.body, /secret|nope/)
})

t.test('unit: isJsonMediaType', async (t) => {
  t.equal(isJsonMediaType(undefined), false)
  t.equal(isJsonMediaType('application/json'), true)
  t.equal(isJsonMediaType('application/problem+json; charset=utf-8'), true)
  t.equal(isJsonMediaType('text/json'), false)
  t.equal(isJsonMediaType('+json'), false)
})

t.test('unit: parseJsonObject keeps the cause', async (t) => {
  t.strictSame(parseJsonObject(Buffer.from('\uFEFF{"a":1}')), { a: 1 }, 'a UTF-8 BOM is skipped')
  const err = t.throws(() => parseJsonObject(Buffer.from('{'))) as HttpError
  t.ok(err instanceof HttpError)
  t.ok(err.cause instanceof SyntaxError)
})
