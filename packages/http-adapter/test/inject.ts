import t from 'tap'
import { createServer } from 'node:http'
import { inject } from '../src/inject.js'

const echo = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    if (req.url === '/destroy') {
      res.socket?.destroy()
      return
    }
    if (req.url === '/half') {
      res.writeHead(200, { 'content-length': '100' })
      res.write('partial')
      setImmediate(() => res.socket?.destroy())
      return
    }
    res.setHeader('Set-Cookie', ['a=1', 'b=2'])
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }))
  })
})

t.test('a request goes through the real parser and back', async (t) => {
  const res = await inject(echo, { method: 'POST', url: '/p?q=1', headers: { 'X-Custom': 'v' }, body: Buffer.from('hé') })
  t.equal(res.status, 200)
  t.strictSame(res.headers['set-cookie'], ['a=1', 'b=2'], 'repeated headers stay arrays')
  t.match(res.json(), { method: 'POST', url: '/p?q=1', headers: { 'x-custom': 'v', 'content-length': '3' }, body: 'hé' })
})

t.test('no body, no headers', async (t) => {
  const res = await inject(echo, { method: 'GET', url: '/' })
  t.match(res.json(), { method: 'GET', body: '' })
})

t.test('a connection cut before the response rejects', async (t) => {
  await t.rejects(inject(echo, { method: 'GET', url: '/destroy' }), { code: 'ECONNRESET' })
})

t.test('a connection cut mid-response rejects', async (t) => {
  await t.rejects(inject(echo, { method: 'GET', url: '/half' }), { code: 'ECONNRESET' })
})
