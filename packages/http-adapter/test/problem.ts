import t from 'tap'
import { HttpError } from '../src/errors.js'
import { problemContentType, problemJson, toProblem } from '../src/problem.js'

t.test('an HttpError keeps status, members and headers (lower-cased)', async (t) => {
  const p = toProblem(new HttpError(503, { code: 'X_DOWN', detail: 'later', headers: { 'Retry-After': '5' } }))
  t.equal(p.status, 503)
  t.equal(p.expected, true)
  t.strictSame(p.headers, { 'retry-after': '5', 'content-type': problemContentType })
  t.strictSame(JSON.parse(p.body), { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'later', code: 'X_DOWN' })
})

t.test('the content type cannot be overridden by error headers', async (t) => {
  const p = toProblem(new HttpError(400, { headers: { 'Content-Type': 'text/html' } }))
  t.equal(p.headers['content-type'], 'application/problem+json')
})

t.test('anything else is a 500 that leaks nothing', async (t) => {
  for (const thrown of [new Error('secret password=hunter2'), 'a string', 42, null, undefined, { toString: () => 'x' }]) {
    const p = toProblem(thrown)
    t.equal(p.status, 500)
    t.equal(p.expected, false)
    t.equal(p.error.cause, thrown, 'the original is kept as cause for the log')
    t.strictSame(JSON.parse(p.body), {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
      code: 'HTTP_INTERNAL',
    })
    t.notMatch(p.body, /secret|stack|hunter2/)
  }
})

t.test('problemJson leaves detail out when unset, member order type,title,status,detail,code', async (t) => {
  t.equal(problemJson(new HttpError(404)), '{"type":"about:blank","title":"Not Found","status":404,"code":"HTTP_NOT_FOUND"}')
})
