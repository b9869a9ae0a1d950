import { createServer as createTcpServer, type Socket } from 'node:net'
import { createServer } from 'node:http'
import t from 'tap'
import { assertPatroniReachable } from '../src/patroni-reachable.js'
import { freePort } from './fixtures/free-port.js'

t.test('one line naming every unreachable URL and why, within the timeout', async (t) => {
  // Accepts connections and never answers, as a firewalled or frozen host would.
  const sockets: Socket[] = []
  const silent = createTcpServer((socket) => void sockets.push(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const socket of sockets) socket.destroy()
    silent.close()
  })
  const refused = `http://127.0.0.1:${await freePort()}`
  const frozen = `http://127.0.0.1:${(silent.address() as { port: number }).port}`
  const started = Date.now()
  await t.rejects(assertPatroniReachable([refused, frozen], { timeoutMs: 300 }), {
    message: `PATRONI_URLS: no Patroni REST API answered: ${refused} (ECONNREFUSED), ${frozen} (no answer in 300 ms)`,
  })
  t.ok(Date.now() - started < 2_000)
  // fetch refuses some ports outright (https://fetch.spec.whatwg.org/#port-blocking): said so
  await t.rejects(assertPatroniReachable(['http://127.0.0.1:1']), { message: 'PATRONI_URLS: no Patroni REST API answered: http://127.0.0.1:1 (bad port)' })
  await t.rejects(assertPatroniReachable(['http://x'], { fetch: () => Promise.reject(new Error('no route')) }), {
    message: 'PATRONI_URLS: no Patroni REST API answered: http://x (no route)',
  })
})

t.test('any HTTP answer from one member is enough (a 401 proves the address), with basic auth sent', async (t) => {
  const seen: (string | undefined)[] = []
  const patroni = createServer((req, res) => {
    seen.push(req.headers.authorization)
    res.statusCode = 401
    res.end('{}')
  })
  await new Promise<void>((resolve) => patroni.listen(0, '127.0.0.1', resolve))
  t.teardown(() => patroni.close())
  const url = `http://127.0.0.1:${(patroni.address() as { port: number }).port}`
  await assertPatroniReachable([`http://127.0.0.1:${await freePort()}`, url], { auth: { username: 'u', password: 'p' } })
  await assertPatroniReachable([url])
  t.strictSame(seen, [`Basic ${Buffer.from('u:p').toString('base64')}`, undefined])
})
