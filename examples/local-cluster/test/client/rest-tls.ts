// HaPgClient against a real Patroni 3.0.2 whose REST API is HTTPS with `verify_client: required` and
// basic auth configured: the TLS handshake itself wants a client certificate (ssl.CERT_REQUIRED,
// RestApiServer in patroni/api.py), while the GETs the client sends never ask for credentials.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HaPgClient } from '@birthday-ha/ha-pg-client'
import { startCluster } from '../../src/index.js'
import { resolveLayout } from '../../src/layout.js'
import { writeRestCertificates } from '../integration/fixtures/rest-certificates.js'

const dir = await mkdtemp(join(tmpdir(), 'lc-rest-tls-'))
const certs = writeRestCertificates(dir)
const options = {
  name: 'client-rest-tls', basePort: 26300, etcdMembers: 1, synchronousMode: false,
  restTls: { caFile: certs.caFile, certFile: certs.memberCertFile, keyFile: certs.memberKeyFile },
} as const
const cluster = await startCluster(options)
t.teardown(async () => {
  await cluster.close({ removeData: t.passing() })
  await rm(dir, { recursive: true, force: true })
})
const [ca, cert, key] = await Promise.all([certs.caFile, certs.clientCertFile, certs.clientKeyFile].map(async (file) => await readFile(file)))
const { app } = cluster.credentials
const pg = { user: app.user, password: app.password, database: app.database }

t.test('the members serve HTTPS with verify_client required and advertise https; patronictl uses the ctl section', async (t) => {
  const configFile = resolveLayout(options).nodes[0]!.configFile
  t.match(await readFile(configFile, 'utf8'), /restapi:[^]*cafile: .*rest-ca\.pem[^]*verify_client: required[^]*\nctl:\n {2}certfile: /)
  t.ok(cluster.patroniUrls.every((url) => url.startsWith('https://127.0.0.1:263')), cluster.patroniUrls.join(' '))
  t.equal((await cluster.leader()).apiUrl.slice(0, 8), 'https://', '/cluster advertises https api_urls')
  const list = execFileSync('patronictl', ['-c', configFile, 'list'], { encoding: 'utf8', timeout: 30_000 })
  t.match(list, /pg1[^]*pg2[^]*pg3/)
  t.match(list, /Leader/)
})

t.test('HaPgClient with patroniTls {ca, cert, key} and no patroniAuth: a write and a read', async (t) => {
  const client = new HaPgClient({ patroniUrls: cluster.patroniUrls, patroniTls: { ca: ca as Buffer, cert: cert as Buffer, key: key as Buffer }, pg })
  t.teardown(() => client.close())
  // A round may fail for want of CPU (8 clusters at once on 2 cores: a REST call timed out once, 2026-12-01);
  // what must never fail is TLS itself, or the absent credentials.
  const failures: unknown[] = []
  client.on('discoveryFailed', ({ error }) => void failures.push(error))
  await client.query('CREATE TABLE IF NOT EXISTS rest_tls_probe (k text PRIMARY KEY, v int)')
  await client.query('INSERT INTO rest_tls_probe (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = $2', ['a', 7])
  const { rows } = await client.query<{ v: number }>('SELECT v FROM rest_tls_probe WHERE k = $1', ['a'])
  t.strictSame(rows, [{ v: 7 }])
  const { counters } = client.stats()
  const codes = failures.map(function chain(e: unknown): string {
    const code = (e as { code?: string } | undefined)?.code ?? String(e)
    const cause = (e as { cause?: unknown } | undefined)?.cause
    return cause === undefined ? code : `${code} < ${chain(cause)}`
  })
  for (const c of codes) t.comment(`a discovery round failed: ${c}`)
  t.ok(counters.restCalls > counters.discoveryFailures, `${counters.restCalls} REST calls, ${counters.discoveryFailures} failed rounds`)
  t.notOk(codes.some((c) => /HAPG_PATRONI_(TLS|AUTH)/.test(c)), `no TLS or credentials failure (the client's codes for them) (${codes.join('; ') || 'none failed'})`)
})

t.test('without the client certificate: a clear error within the deadline', async (t) => {
  const client = new HaPgClient({ patroniUrls: cluster.patroniUrls, patroniTls: { ca: ca as Buffer }, pg, failoverDeadlineMs: 3_000 })
  t.teardown(() => client.close())
  const started = Date.now()
  await t.rejects(client.query('SELECT 1'), {
    code: 'HAPG_FAILOVER_TIMEOUT',
    message: /closed the TLS connection before answering; .*set patroniTls\.cert and patroniTls\.key/,
  })
  const took = Date.now() - started
  t.ok(took < 5_000, `failed after ${took} ms (deadline 3000 ms)`)
})
