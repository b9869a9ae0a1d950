import { createServer, type Server } from 'node:http'
import t from 'tap'
import { watchPromotion } from '../../src/bench/promotion-watch.js'

// Two stand-in Patroni REST APIs: the old leader, and a replica that is promoted when `promoted` is set.
let promoted = false
function member(primary: () => boolean): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/primary' && primary() ? 200 : 503
    res.end('{}')
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })))
}
const old = await member(() => true)
const replica = await member(() => promoted)
t.teardown(() => Promise.all([old, replica].map(({ server }) => new Promise((resolve) => server.close(resolve)))))
const urls = [old.url, replica.url]
const urlOf = (name: string) => (name === 'old' ? old.url : replica.url)

t.test('wait() gives up after its timeout while no other member is primary', async (t) => {
  const watch = watchPromotion(urls, 'old', urlOf)
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
