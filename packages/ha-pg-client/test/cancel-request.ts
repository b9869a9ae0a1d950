import t from 'tap'
import { createServer, type Server } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sendCancelRequest } from '../src/cancel-request.js'

/**
 * A server that behaves as PostgreSQL does on a CancelRequest: it reads the 16 bytes and closes the
 * connection without answering (postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS).
 * `silent`: it never closes (a frozen postmaster).
 */
async function postmaster(listen: (s: Server) => void, silent = false): Promise<{ server: Server; packets: Buffer[] }> {
  const packets: Buffer[] = []
  const server = createServer((socket) => {
    let buf = Buffer.alloc(0)
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      if (buf.length >= 16) {
        packets.push(buf)
        if (!silent) socket.end()
      }
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => {
    server.once('listening', resolve)
    listen(server)
  })
  return { server, packets }
}

t.test('sends length 16, code 80877102, the process ID and the secret key, then the server closes', async (t) => {
  const { server, packets } = await postmaster((s) => s.listen(0, '127.0.0.1'))
  const port = (server.address() as { port: number }).port
  t.equal(await sendCancelRequest({ host: '127.0.0.1', port, processID: 4242, secretKey: -7 }, 1_000), true)
  const p = packets[0] as Buffer
  t.strictSame([p.readInt32BE(0), p.readInt32BE(4), p.readInt32BE(8), p.readInt32BE(12)], [16, 80877102, 4242, -7])
  server.close()
})

t.test('over a Unix socket directory, as libpq does for a host starting with /', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hapg-cancel-'))
  const { server, packets } = await postmaster((s) => s.listen(join(dir, '.s.PGSQL.5432')))
  t.equal(await sendCancelRequest({ host: dir, processID: 1, secretKey: 2 }, 1_000), true, 'port defaults to 5432')
  t.equal(packets.length, 1)
  server.close()
  await rm(dir, { recursive: true, force: true })
})

t.test('best effort: no key, a refused connection or a silent server resolve false', async (t) => {
  t.equal(await sendCancelRequest({ host: '127.0.0.1', port: 1, processID: null, secretKey: null }, 100), false)
  t.equal(await sendCancelRequest({ host: '127.0.0.1', port: 1, processID: 1, secretKey: 1 }, 1_000), false)
  const { server } = await postmaster((s) => s.listen(0, '127.0.0.1'), true)
  const port = (server.address() as { port: number }).port
  t.equal(await sendCancelRequest({ host: '127.0.0.1', port, processID: 1, secretKey: 1 }, 100), false)
  // host defaults to localhost
  t.equal(await sendCancelRequest({ port, processID: 1, secretKey: 1 }, 100), false)
  server.close()
})
