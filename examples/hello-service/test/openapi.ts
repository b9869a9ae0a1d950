import { readFileSync } from 'node:fs'
import t from 'tap'
import { Validator } from '@seriousme/openapi-schema-validator'
import { errorCodes } from '@birthday-ha/http-adapter'
import { openApiRoute } from '../src/openapi-route.js'
import { loadOpenApi, OpenApiValidator } from './fixtures/openapi-validator.js'

const document = loadOpenApi()
const validator = new OpenApiValidator(document)

/** Every `code` the document promises, from the `enum`s of its problem schemas. */
function documentedCodes(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) documentedCodes(item, into)
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      const codes = (value as { enum?: unknown } | null)?.enum
      if (key === 'code' && Array.isArray(codes)) for (const code of codes) into.add(String(code))
      else documentedCodes(value, into)
    }
  }
  return into
}

t.test('the document is valid OpenAPI 3.1 (the official schema, through @seriousme/openapi-schema-validator)', async (t) => {
  const result = await new Validator().validate(document)
  t.strictSame(result.errors, undefined)
  t.ok(result.valid)
  t.match(document['openapi'], /^3\.1\./)
})

t.test('info.version is the package version', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  t.equal((document['info'] as { version: string }).version, pkg.version)
})

t.test('every code of the README error table is documented, and the adapter codes it names exist', async (t) => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  const table = readme.slice(readme.indexOf('| status | when | `code`'), readme.indexOf('## Configuration'))
  const lastCells = table.split('\n').filter((row) => row.startsWith('| ')).map((row) => row.split('|').at(-2) ?? '')
  const readmeCodes = lastCells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string))
  t.ok(readmeCodes.length >= 20, `${readmeCodes.length} codes in the README table`)
  const codes = documentedCodes(document)
  for (const code of readmeCodes) t.ok(codes.has(code), `${code} is in openapi.json`)
  for (const code of codes) {
    if (code.startsWith('HTTP_')) t.ok(code in errorCodes, `${code} is an http-adapter code`)
  }
})

t.test('GET /openapi.json answers the document', async (t) => {
  const result = await openApiRoute().handler({} as never)
  t.strictSame(result.body, document)
  t.equal(result.status, 200)
})

t.test('the validator rejects what does not conform (so the suite checks are not vacuous)', async (t) => {
  const json = 'application/json; charset=utf-8'
  const problemType = 'application/problem+json'
  const ok = (status: number, code: string, extra: Record<string, string> = {}) => ({
    headers: new Map([['content-type', problemType], ['x-request-id', 'r-1'], ...Object.entries(extra)]),
    body: JSON.stringify({ type: 'about:blank', title: 'T', status, detail: 'D', code }),
  })
  const greeting = (message: string, headers: [string, string][] = [['content-type', json], ['x-request-id', 'r-1']]) =>
    ({ method: 'GET', path: '/hello/alice', status: 200, headers: new Map(headers), body: JSON.stringify({ message }) })
  t.strictSame(validator.check(greeting('Hello, alice! Your birthday is in 5 day(s)')), [])
  t.strictSame(validator.check(greeting('Hello, Zoë! Happy birthday!')), [])
  t.match(validator.check(greeting('Hello, alice! Your birthday is in 366 day(s)')), [/must match pattern/])
  t.match(validator.check(greeting('Hello, alice! Happy birthday!', [['content-type', json]])), [/header X-Request-Id missing/])
  t.match(validator.check(greeting('Hello, alice! Happy birthday!', [['content-type', 'text/html'], ['x-request-id', 'r']])), [/content-type text\/html is not one of application\/json/])
  t.match(validator.check({ ...greeting('x'), body: '{' }), [/body is not JSON/])
  t.match(validator.check({ method: 'GET', path: '/hello/alice', status: 418, headers: new Map(), body: '' }), [/status 418 is not documented/])
  t.match(validator.check({ method: 'GET', path: '/nope', status: 200, headers: new Map(), body: '' }), [/no operation GET \/nope/])
  t.match(validator.check({ method: 'PUT', path: '/hello/alice', status: 204, headers: new Map([['x-request-id', 'r']]), body: 'x' }), [/documented without a body/])
  t.strictSame(validator.check({ method: 'PUT', path: '/hello/alice', status: 503, ...ok(503, 'DATABASE_UNAVAILABLE', { 'retry-after': '1' }) }), [])
  t.match(validator.check({ method: 'PUT', path: '/hello/alice', status: 503, ...ok(503, 'DATABASE_UNAVAILABLE') }), [/header Retry-After missing/])
  t.match(validator.check({ method: 'PUT', path: '/hello/alice', status: 503, ...ok(503, 'DATABASE_UNAVAILABLE', { 'retry-after': 'soon' }) }), [/header Retry-After: "soon" data must match pattern/])
  t.match(validator.check({ method: 'GET', path: '/hello/alice', status: 404, ...ok(404, 'HTTP_NOT_FOUND') }), [/code must be equal to one of the allowed values/])
  t.match(validator.check({ method: 'GET', path: '/hello/alice', status: 404, ...ok(400, 'USER_NOT_FOUND') }), [/status must be equal to constant/])
  t.strictSame(validator.check({ method: 'DELETE', path: '/hello/alice', status: 405, ...ok(405, 'HTTP_METHOD_NOT_ALLOWED', { allow: 'GET, HEAD, PUT, OPTIONS' }) }), [])
  t.strictSame(validator.check({ method: 'GET', path: '/hello/a/b', status: 404, ...ok(404, 'HTTP_NOT_FOUND') }), [])
  t.equal(validator.match('/hello/'), undefined, 'a parameter matches a non-empty segment only')
  t.ok(validator.documented().includes('GET /readyz 503'))
})
