import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import t from 'tap'
import { publishFile } from '../../src/apt-proxy/files.js'
import { systemCaFetch } from '../../src/apt-proxy/system-ca-fetch.js'

// A real HTTPS server on loopback with a throwaway self-signed certificate: trusted only through a bundle that holds it.
const dir = await mkdtemp(`${tmpdir()}/lab-ca-`)
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=lab-test', '-addext', 'subjectAltName=IP:127.0.0.1',
  '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'pipe' })
const body = Buffer.from('node tarball bytes')
const server = createServer({ key: await readFile(`${dir}/key.pem`), cert: await readFile(`${dir}/cert.pem`) }, (req, res) => {
  if (req.url === '/empty') return void res.writeHead(204).end()
  if (req.url === '/moved') return void res.writeHead(302, { location: '/n.tgz' }).end('moved')
  res.end(body)
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
t.teardown(() => void server.close())
const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`

t.test('trusts the CAs of the bundle it is given, beside Node’s own', async (t) => {
  const trusting = systemCaFetch(`${dir}/cert.pem`)
  const res = await trusting(`${base}/n.tgz`, { signal: AbortSignal.timeout(5_000) })
  t.equal(res.status, 200)
  t.strictSame(Buffer.from(await res.arrayBuffer()), body)
  t.equal((await trusting(new Request(`${base}/empty`))).status, 204)
  const moved = await trusting(`${base}/moved`)
  t.equal(moved.status, 302, 'a redirect is returned, not followed')
  t.equal(await moved.text(), 'moved')
  await t.rejects(trusting('https://127.0.0.1:1/'), { code: 'ECONNREFUSED' })
  const plain = createHttpServer((_, res) => res.end('plain'))
  plain.listen(0, '127.0.0.1')
  await once(plain, 'listening')
  t.teardown(() => void plain.close())
  t.equal(await (await trusting(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/f`)).text(), 'plain', 'http: as it is')
  await t.rejects(fetch(`${base}/n.tgz`), { cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }, 'Node’s fetch does not trust it')
  await t.rejects(systemCaFetch(`${dir}/missing.pem`)(`${base}/n.tgz`), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'without the bundle, Node’s roots only')
})

t.test('publishFile: an untrusted certificate is LAB_DOWNLOAD_FAILED at once, naming the bundle to fix', async (t) => {
  const out = await mkdtemp(`${tmpdir()}/lab-files-`)
  const waits: number[] = []
  const sha256 = createHash('sha256').update(body).digest('hex')
  await t.rejects(publishFile(out, { url: `${base}/n.tgz`, sha256 }, { sleep: async (ms) => void waits.push(ms) }), {
    code: 'LAB_DOWNLOAD_FAILED',
    message: /certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\); add the CA that signs it to \/etc\/ssl\/certs\/ca-certificates\.crt/,
  })
  t.strictSame(waits, [], 'not retried')
  t.equal(await publishFile(out, { url: `${base}/n.tgz`, sha256 }, { fetch: systemCaFetch(`${dir}/cert.pem`) }), 'n.tgz')
  // undici's fetch wraps the socket's error: its code is in the message
  const reset = (async () => { throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }) }) as typeof fetch
  await t.rejects(publishFile(out, { url: `${base}/x.tgz`, sha256 }, { fetch: reset, sleep: async (ms) => void waits.push(ms) }), { message: /: fetch failed \(ECONNRESET\)$/ })
  t.strictSame(waits, [1_000, 3_000, 9_000], 'a reset is retried')
  const closed = (async () => { throw new TypeError('fetch failed', { cause: new Error('other side closed') }) }) as typeof fetch
  await t.rejects(publishFile(out, { url: `${base}/x.tgz`, sha256 }, { fetch: closed, sleep: async () => {} }), { message: /: fetch failed \(other side closed\)$/ })
})
