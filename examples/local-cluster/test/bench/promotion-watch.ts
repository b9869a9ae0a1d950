import { createServer, type Server } from 'node:http'
import t from 'tap'
import { watchPromotion } from '../../src/bench/promotion-watch.js'

// Two stand-in Patroni REST APIs: the old leader, and a replica that takes the key when `promoted` is set.
// Patroni 4 (patroni/api.py, do_GET) answers /primary 200 once the member holds the key, with role
// `replica` until its PostgreSQL leaves recovery (`inRecovery`).
let promoted = false
let inRecovery = false
function member(primary: () => boolean): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/primary' && primary() ? 200 : 503
    res.end(primary() && inRecovery ? '{"role":"replica"}' : '{}')
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })))
}
const old = await member(() => true)
const replica = await member(() => promoted)
t.teardown(() => Promise.all([old, replica].map(({ server }) => new Promise((resolve) => server.close(resolve)))))
const urls = [old.url, replica.url]
const urlOf = (name: string) => (name === 'old' ? old.url : replica.url)

t.test('wait() gives up after its timeout while no other member is primary (one of them down)', async (t) => {
  const watch = watchPromotion([...urls, 'http://127.0.0.1:1'], 'old', urlOf)
  t.equal(await watch.wait(200), undefined, 'the old leader itself never counts')
})

t.test('wait() returns the member that became primary, and when', async (t) => {
  const watch = watchPromotion(urls, 'old', urlOf)
  const before = Date.now()
  setTimeout(() => (promoted = true), 150)
  const found = await watch.wait(5_000)
  t.equal(found?.url, replica.url)
  t.ok((found?.at ?? 0) >= before + 100)
  t.same(await watch.stop(), found)
})

t.test('wait() also says when the new leader left recovery (role primary after 200 as a replica)', async (t) => {
  promoted = false
  inRecovery = true
  const watch = watchPromotion(urls, 'old', urlOf)
  setTimeout(() => (promoted = true), 100)
  setTimeout(() => (inRecovery = false), 400)
  const found = await watch.wait(5_000)
  t.equal(found?.url, replica.url)
  t.ok(found?.writableAt !== undefined && found.writableAt - found.at >= 200, `writable ${String((found?.writableAt ?? 0) - (found?.at ?? 0))} ms after the key`)
})

t.test('stop() while the new leader is still in recovery: no writableAt', async (t) => {
  promoted = true
  inRecovery = true
  const watch = watchPromotion(urls, 'old', urlOf)
  await new Promise((r) => setTimeout(r, 200))
  const found = await watch.stop()
  t.equal(found?.url, replica.url)
  t.equal(found?.writableAt, undefined)
  inRecovery = false
})
