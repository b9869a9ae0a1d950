import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { httpGet } from '../src/http-get.js'
import { httpSender } from '../src/http-sender.js'

const server = createServer((req, res) => {
  let body = ''
  req.on('data', (c: Buffer) => (body += c.toString()))
  req.on('end', () => {
    if (req.url === '/hang') return
    if (req.url === '/cut') { res.socket?.destroy(); return }
    if (req.url === '/midway') { res.writeHead(200, { 'content-length': '10' }); res.write('abc'); setTimeout(() => res.socket?.destroy(), 10); return }
    if (req.method === 'PUT') { res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '1' }); res.end(JSON.stringify({ got: body, type: req.headers['content-type'] })); return }
    res.writeHead(200, { 'content-type': 'text/plain' }); res.end('hi')
  })
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
t.teardown(() => { server.closeAllConnections(); server.close() })

t.test('httpSender: status, the two headers, body; errors and timeouts reject', async (t) => {
  const http = httpSender(base)
  t.teardown(() => http.close())
  t.strictSame(await http.send({ method: 'GET', path: '/x', timeoutMs: 1000 }), { status: 200, headers: { 'content-type': 'text/plain', 'retry-after': undefined }, body: 'hi' })
  const put = await http.send({ method: 'PUT', path: '/x', body: '{"a":1}', timeoutMs: 1000 })
  t.equal(put.status, 503)
  t.equal(put.headers['retry-after'], '1')
  t.strictSame(JSON.parse(put.body), { got: '{"a":1}', type: 'application/json' })
  await t.rejects(http.send({ method: 'GET', path: '/hang', timeoutMs: 50 }), /no answer within 50 ms/)
  await t.rejects(http.send({ method: 'GET', path: '/cut', timeoutMs: 1000 }))
  await t.rejects(http.send({ method: 'GET', path: '/midway', timeoutMs: 1000 }))
})

t.test('httpGet resolves 0 on no answer', async (t) => {
  t.strictSame(await httpGet(`${base}/x`), { status: 200, body: 'hi' })
  t.equal((await httpGet(`${base}/hang`, 50)).status, 0)
  t.equal((await httpGet('http://127.0.0.1:1/x')).status, 0)
})
