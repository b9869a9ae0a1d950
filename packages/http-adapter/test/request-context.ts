import t from 'tap'
import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { Context } from '../src/request-context.js'
import { captureLogger } from './fixtures/capture-logger.js'

function request(method: string, headers: Record<string, string> = {}): IncomingMessage {
  const req = new IncomingMessage(new Socket())
  req.method = method
  req.headers = headers
  return req
}

t.test('fields, lazy query and lazy child logger', async (t) => {
  const { logger, lines } = captureLogger()
  const ctx = new Context(request('GET', { a: 'b' }), '/u/7', 'x=1&x=2&y', '/u/:id', ['id'], ['7'], 'rid', logger, 10)
  t.equal(ctx.method, 'GET')
  t.equal(ctx.path, '/u/7')
  t.strictSame(ctx.params, { id: '7' })
  t.strictSame(ctx.headers, { a: 'b' })
  t.equal(ctx.route, '/u/:id')
  t.equal(ctx.requestId, 'rid')
  t.strictSame(ctx.query.getAll('x'), ['1', '2'])
  t.equal(ctx.query.get('y'), '')
  t.equal(ctx.query, ctx.query)
  ctx.log.info({}, 'hi')
  t.equal(ctx.log, ctx.log)
  t.match(lines, [{ msg: 'hi', reqId: 'rid' }])
})

t.test('no params → a shared frozen empty object', async (t) => {
  const { logger } = captureLogger()
  const a = new Context(request('GET'), '/', '', '/', [], [], 'r', logger, 10)
  const b = new Context(request('GET'), '/', '', '/', [], [], 'r', logger, 10)
  t.equal(a.params, b.params)
  t.ok(Object.isFrozen(a.params))
})

t.test('json() on a request destroyed before reading → 400 incomplete, at once', async (t) => {
  const { logger } = captureLogger()
  const req = request('POST', { 'content-type': 'application/json' })
  req.destroy()
  const ctx = new Context(req, '/', '', '/', [], [], 'r', logger, 10)
  await t.rejects(ctx.json(), { status: 400, code: 'HTTP_BAD_REQUEST', detail: 'The request body is incomplete.' })
})
