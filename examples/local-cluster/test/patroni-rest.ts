import t from 'tap'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { getClusterMembers, probe, restCall } from '../src/patroni-rest.js'
import { writeRestCertificates } from './integration/fixtures/rest-certificates.js'

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void

async function server(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const srv = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => handler(req, body, res))
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
  return { url, close: async () => { srv.closeAllConnections(); await new Promise((r) => srv.close(r)) } }
}

t.test('restCall sends method, JSON body and basic auth on a fresh connection', async (t) => {
  const seen: string[] = []
  const s = await server((req, body, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization} ${req.headers['content-type']} ${req.headers.connection} ${body}`)
    res.writeHead(412).end('not the leader')
  })
  t.teardown(s.close)
  const res = await restCall(`${s.url}/switchover`, { method: 'POST', body: { leader: 'pg1' }, auth: { username: 'u', password: 'p' } })
  t.strictSame(res, { status: 412, body: 'not the leader' })
  t.strictSame(seen, [`POST /switchover Basic ${Buffer.from('u:p').toString('base64')} application/json close {"leader":"pg1"}`])
  const plain = await restCall(`${s.url}/cluster`)
  t.equal(plain.status, 412)
  t.match(seen[1], /^GET \/cluster undefined undefined close $/)
})

t.test('a frozen server (accepts TCP, never answers) fails after the deadline', async (t) => {
  const s = await server(() => {})
  t.teardown(s.close)
  await t.rejects(restCall(`${s.url}/primary`, { timeoutMs: 100 }), { code: 'LC_REST_FAILED', message: /no answer within 100 ms/ })
  t.equal(await probe(s.url, '/primary', 100), 0)
})

t.test('connection refused is LC_REST_FAILED; probe says 0', async (t) => {
  await t.rejects(restCall('http://127.0.0.1:1/x'), { code: 'LC_REST_FAILED', message: /ECONNREFUSED/ })
  t.equal(await probe('http://127.0.0.1:1', '/primary'), 0)
})

t.test('getClusterMembers uses the first node that answers 200', async (t) => {
  const members = [{ name: 'pg1', role: 'leader', state: 'running', api_url: 'http://x/patroni', host: 'h', port: 1 }]
  const bad = await server((_req, _body, res) => res.writeHead(503).end())
  const good = await server((req, _body, res) => res.writeHead(200).end(JSON.stringify({ members, scope: req.url })))
  t.teardown(bad.close)
  t.teardown(good.close)
  t.strictSame(await getClusterMembers(['http://127.0.0.1:1', bad.url, good.url]), members)
  t.equal(await probe(good.url, '/primary'), 200)
  await t.rejects(getClusterMembers(['http://127.0.0.1:1', bad.url]), {
    code: 'LC_REST_FAILED', message: /no Patroni answered GET \/cluster: .*ECONNREFUSED.*; .*HTTP 503/,
  })
})

t.test('https: the CA and client certificate go with every call (a member with verify_client required)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'lc-rest-tls-unit-'))
  t.teardown(async () => await rm(dir, { recursive: true, force: true }))
  const files = writeRestCertificates(dir)
  const [ca, cert, key] = await Promise.all([files.caFile, files.memberCertFile, files.memberKeyFile].map(async (f) => await readFile(f)))
  const tls = { ca: ca as Buffer, cert: cert as Buffer, key: key as Buffer }
  const members = [{ name: 'pg1', role: 'leader', state: 'running', api_url: 'https://x/patroni', host: 'h', port: 1 }]
  // verify_client: required is ssl.CERT_REQUIRED: the handshake itself needs a client certificate (patroni/api.py)
  const srv = createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, (_req, res) => res.writeHead(200).end(JSON.stringify({ members })))
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  t.teardown(() => srv.close())
  const url = `https://127.0.0.1:${(srv.address() as AddressInfo).port}`
  t.equal(await probe(url, '/primary', 1000, tls), 200, 'answered: the client certificate was sent')
  t.strictSame(await getClusterMembers([url], 1000, tls), members)
  t.equal(await probe(url, '/primary', 1000), 0, 'no CA: the certificate is not trusted')
})
