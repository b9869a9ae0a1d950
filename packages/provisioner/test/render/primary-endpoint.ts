// renderPrimaryEndpoint: the rendered HAProxy config, checked by a real HAProxy, and run by one in front of
// three stand-in members on loopback addresses (a TCP server that names itself, a Patroni-like REST API
// answering GET /primary 200 or 503, https://patroni.readthedocs.io/en/latest/rest_api.html).
import t, { type Test } from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { RenderError, renderPrimaryEndpoint } from '../../src/render/index.js'

const HAPROXY = '/usr/sbin/haproxy'
if (spawnSync(HAPROXY, ['-v']).status !== 0) throw new Error(`${HAPROXY} is missing: run sh scripts/ensure-system-packages.sh (it installs Debian's haproxy)`)

const members = [
  { name: 'db1', host: '10.10.10.10' },
  { name: 'db2', host: '10.10.11.10' },
]

t.test('renders one listener to whichever member answers GET /primary 200', async (t) => {
  const cfg = renderPrimaryEndpoint({ listen: { host: '127.0.0.1', port: 5433 }, members })
  t.match(cfg, /^ {4}bind 127\.0\.0\.1:5433$/m)
  t.match(cfg, /^ {4}balance first$/m, 'one member at a time')
  t.match(cfg, /^ {4}retries 0$/m, 'a failed connect closes the session: the client retries')
  t.match(cfg, /^ {4}http-check send meth GET uri \/primary$/m)
  t.match(cfg, /^ {4}http-check expect status 200$/m)
  t.match(cfg, /^ {4}default-server check port 8008 inter 1s fastinter 250ms downinter 1s fall 2 rise 1 on-marked-down shutdown-sessions$/m)
  t.strictSame(cfg.split('\n').filter((l) => l.trim().startsWith('server ')), ['    server db1 10.10.10.10:5432', '    server db2 10.10.11.10:5432'])
  const other = renderPrimaryEndpoint({ listen: { host: '127.0.0.1', port: 6000 }, members, pgPort: 6432, restPort: 9008 })
  t.match(other, /check port 9008 /)
  t.match(other, /server db2 10\.10\.11\.10:6432$/m)
})

t.test('HAProxy itself accepts the config', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'primary-endpoint-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'haproxy.cfg')
  writeFileSync(file, renderPrimaryEndpoint({ listen: { host: '127.0.0.1', port: 5433 }, members }))
  const r = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8' })
  t.equal(r.status, 0, r.stderr)
})

t.test('bad input is a RenderError naming the field', async (t) => {
  const bad = (spec: Parameters<typeof renderPrimaryEndpoint>[0], field: RegExp): void => {
    const err = (() => {
      try {
        renderPrimaryEndpoint(spec)
      } catch (e) {
        return e
      }
      return undefined
    })()
    t.ok(err instanceof RenderError && err.code === 'PROV_RENDER_INVALID_SPEC', `a RenderError: ${String(err)}`)
    t.match((err as Error).message, field)
  }
  const listen = { host: '127.0.0.1', port: 5433 }
  bad({ listen, members: [] }, /^members: must not be empty/)
  bad({ listen: { host: '127.0.0.1 ; x', port: 5433 }, members }, /^listen\.host:/)
  bad({ listen: { host: '127.0.0.1', port: 0 }, members }, /^listen\.port:/)
  bad({ listen, members, restPort: 70000 }, /^restPort:/)
  bad({ listen, members, pgPort: 1.5 }, /^pgPort:/)
  bad({ listen, members: [{ name: 'db 1', host: '10.0.0.1' }] }, /^members\[0\]\.name:/)
  bad({ listen, members: [{ name: 'db1', host: '10.0.0.1\nserver x' }] }, /^members\[0\]\.host:/)
})

/** A stand-in member: PostgreSQL's port answers its name and stays open; the REST API answers `/primary` by `primary`. */
interface Member {
  readonly name: string
  readonly host: string
  primary: boolean
  /** A power cut: both ports stop listening and every open session ends (the lab's power-off refuses at once). */
  readonly powerOff: () => void
}

const listen = (s: Server | HttpServer, host: string, port: number): Promise<number> => new Promise((resolve, reject) => {
  s.once('error', reject)
  s.listen(port, host, () => resolve((s.address() as AddressInfo).port))
})

async function startMember(name: string, host: string, ports: { pg: number; rest: number }): Promise<Member & { ports: { pg: number; rest: number } }> {
  const sockets = new Set<Socket>()
  const pg = createServer((sock) => {
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    sock.on('error', () => {})
    sock.write(`${name}\n`)
  })
  const rest = createHttpServer((req, res) => {
    res.writeHead(req.url === '/primary' && member.primary ? 200 : 503).end()
  })
  const powerOff = (): void => {
    for (const s of [pg, rest]) s.close()
    rest.closeAllConnections()
    for (const s of sockets) s.destroy()
  }
  const member = { name, host, primary: false, powerOff }
  const pgPort = await listen(pg, host, ports.pg)
  const restPort = await listen(rest, host, ports.rest)
  return Object.assign(member, { ports: { pg: pgPort, rest: restPort } })
}

/** Connects to the endpoint; resolves with the first line (the member's name) and the socket, left open. */
function connect(port: number): Promise<{ name: string; socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    const closed = new Promise<void>((r) => socket.once('close', () => r()))
    socket.once('error', reject)
    void closed.then(() => reject(new Error('closed without an answer')))
    socket.once('data', (d) => resolve({ name: d.toString().trim(), socket, closed }))
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer through the endpoint in 5 s')))
  })
}

async function freePort(): Promise<number> {
  const s = createServer()
  const port = await listen(s, '127.0.0.1', 0)
  await new Promise((r) => s.close(r))
  return port
}

/** Starts a real HAProxy on the rendered endpoint in front of `members` (their ports: the first one's); stopped, with the members, at teardown. */
async function startEndpoint(t: Test, members: readonly (Member & { ports: { pg: number; rest: number } })[]): Promise<{ port: number; stderr: () => string }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'primary-endpoint-'))
  const file = join(dir, 'haproxy.cfg')
  const { ports } = members[0]!
  writeFileSync(file, renderPrimaryEndpoint({ listen: { host: '127.0.0.1', port }, members, pgPort: ports.pg, restPort: ports.rest }))
  const haproxy = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  haproxy.stderr.on('data', (d: Buffer) => void (stderr += d.toString()))
  t.teardown(async () => {
    haproxy.kill('SIGKILL')
    for (const m of members) m.powerOff()
    rmSync(dir, { recursive: true, force: true })
  })
  return { port, stderr: () => stderr }
}

/** The session a new connection makes once it reaches `want`, left open (polled: the checks run every 1 s); undefined after 10 s. */
async function reaches(port: number, want: string): Promise<{ name: string; socket: Socket; closed: Promise<void> } | undefined> {
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    const c = await connect(port).catch(() => undefined)
    if (c?.name === want) return c
    c?.socket.destroy()
    await sleep(200)
  }
  return undefined
}

t.test('a real HAProxy leads to the primary, and moves a session off a member once it stops being primary', async (t) => {
  const first = await startMember('db1', '127.0.0.2', { pg: 0, rest: 0 })
  const all = [first, await startMember('db2', '127.0.0.3', first.ports), await startMember('db3', '127.0.0.4', first.ports)]
  all[1]!.primary = true
  const { port, stderr } = await startEndpoint(t, all)
  const onDb2 = await reaches(port, 'db2')
  t.ok(onDb2, `a session reaches db2, the primary (haproxy: ${stderr()})`)
  // db2 is deposed, db3 promoted: db2's session is shut, a new one reaches db3
  all[1]!.primary = false
  all[2]!.primary = true
  const at = Date.now()
  const shut = await Promise.race([onDb2!.closed.then(() => true as const), sleep(10_000).then(() => false as const)])
  t.ok(shut, 'the session to the deposed member is shut (on-marked-down shutdown-sessions)')
  t.ok(Date.now() - at < 5_000, `within two checks (${Date.now() - at} ms)`)
  const onDb3 = await reaches(port, 'db3')
  t.ok(onDb3, 'a new session reaches db3, the new primary')
  onDb3?.socket.destroy()
  // no primary at all (mid-failover): HAProxy closes the session rather than pick a member
  all[2]!.primary = false
  await sleep(3_000)
  const none = await connect(port).then((c) => (c.socket.destroy(), c.name), (err: unknown) => (err as Error).message)
  t.equal(none, 'closed without an answer', 'no member reached while none is primary')
})

t.test('a session opened as the primary powers off is closed at once, and the next one reaches the new primary', async (t) => {
  // Found on the lab: HAProxy 3.0 (Debian 13) never closed a session whose connect had failed and was
  // waiting for its retry when the member was marked down; the DR walreceiver connecting then hung for
  // good. HAProxy 2.6 closes it after its retries (3 s to 12 s); `retries 0` closes it at the failed connect.
  const first = await startMember('db1', '127.0.0.2', { pg: 0, rest: 0 })
  const all = [first, await startMember('db2', '127.0.0.3', first.ports)]
  first.primary = true
  const { port, stderr } = await startEndpoint(t, all)
  /** Whether a new session reaches `want` (and then closes it). */
  const reached = async (want: string): Promise<boolean> => {
    const c = await reaches(port, want)
    c?.socket.destroy()
    return c !== undefined
  }
  t.ok(await reached('db1'), `a session reaches db1 (haproxy: ${stderr()})`)
  first.powerOff()
  // HAProxy still counts db1 up (its checks have not failed yet): the connect is refused
  const at = Date.now()
  const outcome = await connect(port).then((c) => (c.socket.destroy(), c.name), (err: unknown) => (err as Error).message)
  const ms = Date.now() - at
  t.equal(outcome, 'closed without an answer', 'the session reaches no member')
  t.ok(ms < 500, `and is closed at the failed connect, not held for a retry (${ms} ms)`)
  all[1]!.primary = true
  t.ok(await reached('db2'), 'a new session reaches db2, the new primary')
})
