import t from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isSyncKeyStale, readSyncKey, repairSyncKey } from '../src/sync-key.js'

async function server(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const srv = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => handler(req, body, res))
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { srv.closeAllConnections(); srv.close() })
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
}

const kvs = (value: object | undefined): string =>
  JSON.stringify(value === undefined ? { header: {} } : { kvs: [{ value: Buffer.from(JSON.stringify(value)).toString('base64') }] })

t.test('readSyncKey asks the first etcd that answers for /service/<scope>/sync', async (t) => {
  const keys: string[] = []
  const etcd = await server((req, body, res) => {
    keys.push(`${req.url} ${Buffer.from((JSON.parse(body) as { key: string }).key, 'base64').toString()}`)
    res.end(kvs({ leader: 'pg3', sync_standby: null }))
  })
  t.strictSame(await readSyncKey(['http://127.0.0.1:1', etcd], 'birthday'), { leader: 'pg3', sync_standby: null })
  t.strictSame(keys, ['/v3/kv/range /service/birthday/sync'])
  const empty = await server((_req, _body, res) => res.end(kvs(undefined)))
  t.equal(await readSyncKey([empty], 'birthday'), undefined)
  await t.rejects(readSyncKey(['http://127.0.0.1:1'], 'birthday'), { code: 'LC_REST_FAILED', message: /no etcd member answered: .*ECONNREFUSED/ })
})

t.test('isSyncKeyStale: only a key naming another node', async (t) => {
  t.equal(isSyncKeyStale(undefined, 'pg1'), false)
  t.equal(isSyncKeyStale({ leader: null, sync_standby: null }, 'pg1'), false)
  t.equal(isSyncKeyStale({ leader: 'pg1', sync_standby: 'pg2' }, 'pg1'), false)
  t.equal(isSyncKeyStale({ leader: 'pg3', sync_standby: null }, 'pg1'), true)
})

t.test('repairSyncKey turns synchronous_mode off, waits for the key to go, turns it on', async (t) => {
  const calls: string[] = []
  let present = true
  const patroni = await server((req, body, res) => {
    calls.push(`${req.method} ${req.url} ${req.headers.authorization} ${body}`)
    if (body.includes('false')) present = false
    res.writeHead(200).end('{}')
  })
  const etcd = await server((_req, _body, res) => res.end(kvs(present ? { leader: 'pg3', sync_standby: null } : undefined)))
  const auth = { username: 'patroni', password: 'pw' }
  await repairSyncKey({ etcdUrls: [etcd], scope: 'birthday', leaderApiUrl: patroni, auth })
  const basic = `Basic ${Buffer.from('patroni:pw').toString('base64')}`
  t.strictSame(calls, [
    `PATCH /config ${basic} {"synchronous_mode":false}`,
    `PATCH /config ${basic} {"synchronous_mode":true}`,
  ])
})

t.test('repairSyncKey fails with the status when Patroni refuses', async (t) => {
  const patroni = await server((_req, _body, res) => res.writeHead(401).end('no auth'))
  await t.rejects(repairSyncKey({ etcdUrls: [], scope: 's', leaderApiUrl: patroni, auth: { username: 'u', password: 'p' } }), {
    code: 'LC_REST_FAILED', message: 'PATCH /config synchronous_mode=false answered 401: no auth',
  })
})
