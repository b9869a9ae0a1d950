import t from 'tap'
import { HttpError } from '../src/errors.js'
import { Router } from '../src/router.js'

const route = (method: string, path: string) => ({ method, path, handler: `${method} ${path}` })

const router = new Router([
  route('GET', '/'),
  route('GET', '/hello/:username'),
  route('PUT', '/hello/:username'),
  route('GET', '/hello/world'),
  route('GET', '/a/b/c'),
  route('GET', '/a/:x/d'),
  route('POST', '/a/:y/e'),
  route('GET', '/users/:id/posts/:postId'),
  route('DELETE', '/trailing/'),
])

t.test('static paths hit the map, with no values', async (t) => {
  const m = router.find('/hello/world')
  t.equal(m?.endpoint.pattern, '/hello/world')
  t.strictSame(m?.values, [])
  t.equal(m?.path, '/hello/world')
  t.equal(router.find('/')?.endpoint.pattern, '/')
})

t.test(':params capture one non-empty segment', async (t) => {
  const m = router.find('/hello/ada')
  t.equal(m?.endpoint.pattern, '/hello/:username')
  t.strictSame(m?.values, ['ada'])
  t.equal(m?.endpoint.routes.get('GET')?.handler, 'GET /hello/:username')
  t.strictSame(m?.endpoint.routes.get('PUT')?.paramNames, ['username'])
  t.strictSame(router.find('/users/7/posts/9')?.values, ['7', '9'])
  t.equal(router.find('/hello/'), null, 'empty segment does not match a param')
  t.equal(router.find('/hello/ada/'), null, 'no trailing-slash folding')
  t.equal(router.find('/hello'), null, 'an inner node without routes is no match')
  t.equal(router.find('/nope'), null)
  t.equal(router.find('/trailing/')?.endpoint.pattern, '/trailing/')
})

t.test('static beats param, with backtracking into the param branch', async (t) => {
  t.equal(router.find('/a/b/c')?.endpoint.pattern, '/a/b/c')
  const m = router.find('/a/b/d')
  t.equal(m?.endpoint.pattern, '/a/:x/d')
  t.strictSame(m?.values, ['b'])
  t.equal(router.find('/a/b/e')?.endpoint.routes.get('POST')?.pattern, '/a/:y/e')
  const miss = router.find('/a/b/zzz')
  t.equal(miss, null)
})

t.test('the same precedence and backtracking on percent-encoded paths', async (t) => {
  t.equal(router.find('/a/%62/c')?.endpoint.pattern, '/a/b/c')
  const m = router.find('/a/%62/d')
  t.equal(m?.endpoint.pattern, '/a/:x/d')
  t.strictSame(m?.values, ['b'])
  t.equal(router.find('/a/%62/zzz'), null)
  t.equal(router.find('/hello/%41/'), null)
})

t.test('percent-encoding: decoded per segment after splitting', async (t) => {
  const m = router.find('/hello/a%2Fb%20c')
  t.strictSame(m?.values, ['a/b c'], '%2F stays inside the param')
  t.equal(m?.path, '/hello/a/b c')
  t.equal(router.find('/hell%6F/world')?.endpoint.pattern, '/hello/world', 'encoded static segments match')
  t.strictSame(router.find('/hello/%C3%A9')?.values, ['é'])
})

t.test('malformed percent-encoding is a 400', async (t) => {
  for (const bad of ['/hello/%zz', '/hello/%', '/hello/%C3']) {
    t.throws(() => router.find(bad), { constructor: HttpError, status: 400, code: 'HTTP_BAD_REQUEST' }, bad)
  }
})

t.test('Allow lists methods, HEAD with GET, and OPTIONS, sorted', async (t) => {
  t.equal(router.find('/hello/ada')?.endpoint.allow, 'GET, HEAD, OPTIONS, PUT')
  t.equal(router.find('/trailing/')?.endpoint.allow, 'DELETE, OPTIONS')
})

t.test('programmer errors in route tables throw at compile time', async (t) => {
  const cases: [string, { method: string; path: string; handler: string }[]][] = [
    ['relative path', [route('GET', 'hello')]],
    ['bad param name', [route('GET', '/x/:1a')]],
    ['empty param name', [route('GET', '/x/:')]],
    ['duplicate param', [route('GET', '/x/:a/:a')]],
    ['duplicate route', [route('GET', '/x/:a'), route('GET', '/x/:b')]],
    ['lower-case method', [route('get', '/x')]],
    ['non-token method', [route('GE T', '/x')]],
  ]
  for (const [name, routes] of cases) t.throws(() => new Router(routes), TypeError, name)
})
