import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer as createTcpServer, type Socket } from 'node:net'
import { createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { assertPatroniReachable } from '../src/patroni-reachable.js'
import { freePort } from './fixtures/free-port.js'
import { writeTlsFiles } from './fixtures/tls-files.js'

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
  await t.rejects(assertPatroniReachable(['http://x'], { get: () => Promise.reject(new Error('no route')) }), {
    message: 'PATRONI_URLS: no Patroni REST API answered: http://x (no route)',
  })
})

t.test('any HTTP answer from one member is enough (a 401 proves the address); no credentials are sent', async (t) => {
  const seen: (string | undefined)[] = []
  const patroni = createServer((req, res) => {
    seen.push(req.headers.authorization)
    res.statusCode = 401
    res.end('{}')
  })
  await new Promise<void>((resolve) => patroni.listen(0, '127.0.0.1', resolve))
  t.teardown(() => patroni.close())
  const url = `http://127.0.0.1:${(patroni.address() as { port: number }).port}`
  await assertPatroniReachable([`http://127.0.0.1:${await freePort()}`, url])
  t.strictSame(seen, [undefined], 'GET /patroni never asks for them')
})

t.test('https: the CA and the client certificate go along (a member with verify_client required)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hello-tls-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const files = writeTlsFiles(dir)
  const [ca, cert, key, serverCert, serverKey] = await Promise.all(
    [files.caFile, files.clientCertFile, files.clientKeyFile, files.serverCertFile, files.serverKeyFile].map(async (f) => await readFile(f)),
  )
  // verify_client: required is ssl.CERT_REQUIRED (patroni/api.py): the handshake itself needs a client certificate
  const patroni = createTlsServer({ cert: serverCert, key: serverKey, ca, requestCert: true, rejectUnauthorized: true }, (_req, res) => res.end('{}'))
  await new Promise<void>((resolve) => patroni.listen(0, '127.0.0.1', resolve))
  t.teardown(() => patroni.close())
  const url = `https://127.0.0.1:${(patroni.address() as { port: number }).port}`
  await assertPatroniReachable([url], { tls: { ca: ca as Buffer, cert: cert as Buffer, key: key as Buffer } })
  await t.rejects(assertPatroniReachable([url], { tls: { ca: ca as Buffer } }), {
    message: /^PATRONI_URLS: no Patroni REST API answered: https:\/\/127\.0\.0\.1:\d+ \(a client certificate is required: set PATRONI_CERT_FILE and PATRONI_KEY_FILE\)$/,
  }, 'no client certificate: the TLS 1.3 certificate_required alert')
  await t.rejects(assertPatroniReachable([url]), { message: /\(SELF_SIGNED_CERT_IN_CHAIN\)$/ }, 'no CA')
})
