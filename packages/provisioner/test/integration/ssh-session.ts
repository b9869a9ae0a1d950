import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ProvisionerError } from '../../src/errors.js'
import { openSsh } from '../../src/ssh/session.js'
import { startSshd } from '../fixtures/sshd.js'

t.setTimeout(120_000)
const keys = mkdtempSync(join(tmpdir(), 'prov-keys-'))
const target = await startSshd({ clientKeyDir: keys })
const bastion = await startSshd({ clientKeyDir: keys, logLevel: 'DEBUG1' })
t.teardown(async () => {
  await target.stop()
  await bastion.stop()
})
const direct = () => openSsh({ host: '127.0.0.1', port: target.port, username: 'root', privateKey: target.clientKey })

t.test('runs commands and returns stdout', async (t) => {
  await using s = await direct()
  const r = await s.run('echo hello; echo warn >&2')
  t.equal(r.stdout, 'hello')
  t.equal(r.stderr, 'warn')
  t.equal((await s.run('cat', { stdin: 'from stdin' })).stdout, 'from stdin')
})

t.test('a non-zero exit is a typed error with stderr', async (t) => {
  await using s = await direct()
  const err = (await s.run('echo broken >&2; exit 3').catch((e: unknown) => e)) as ProvisionerError
  t.ok(err instanceof ProvisionerError)
  t.equal(err.code, 'PROV_SSH_COMMAND_FAILED')
  t.equal(err.details['exitCode'], 3)
  t.match(String(err.details['stderr']), /broken/)
  t.equal(err.details['host'], '127.0.0.1')
  // pgBackRest prints its errors on stdout (found on a real host: the message was empty).
  const quiet = (await s.run('echo "ERROR: [056]: unable to find primary cluster"; exit 56').catch((e: unknown) => e)) as ProvisionerError
  t.match(quiet, { message: /exited 56: ERROR: \[056\]: unable to find primary cluster/, details: { stdout: /056/ } })
  const killed = (await s.run('kill -9 $$').catch((e: unknown) => e)) as ProvisionerError
  t.match(killed, { code: 'PROV_SSH_COMMAND_FAILED', message: /exited SIGKILL/, details: { exitCode: -1 } })
})

t.test('uploads files and writes them only when the content changed', async (t) => {
  await using s = await direct()
  const dir = mkdtempSync(join(tmpdir(), 'prov-remote-'))
  const path = join(dir, 'etc', 'patroni.yml')
  t.equal(await s.writeFile(path, 'secret: a\n'), true, 'first write')
  t.equal(readFileSync(path, 'utf8'), 'secret: a\n')
  t.equal(statSync(path).mode & 0o777, 0o600, 'mode 0600 by default')
  const ino = statSync(path).ino
  const mtime = statSync(path).mtimeMs
  t.equal(await s.writeFile(path, 'secret: a\n'), false, 'same content is not rewritten')
  t.equal(statSync(path).ino, ino)
  t.equal(statSync(path).mtimeMs, mtime)
  t.equal(await s.writeFile(path, 'secret: a\n', { mode: 0o644 }), true, 'a mode change rewrites')
  t.equal(statSync(path).mode & 0o777, 0o644)
  t.equal(await s.writeFile(path, 'secret: b\n', { mode: 0o644, owner: 'root:root' }), true, 'new content rewrites')
  t.equal(readFileSync(path, 'utf8'), 'secret: b\n')
  const local = join(dir, 'local.tar')
  writeFileSync(local, 'tarball bytes')
  await s.uploadFile(local, join(dir, 'uploaded.tar'))
  t.equal(readFileSync(join(dir, 'uploaded.tar'), 'utf8'), 'tarball bytes')
  await t.rejects(s.uploadFile(join(dir, 'nope'), join(dir, 'x')), { code: 'PROV_SSH_COMMAND_FAILED' })
})

t.test('connects through the jump host (forwardOut + sock)', async (t) => {
  await using s = await openSsh({
    host: '127.0.0.1', port: target.port, username: 'root', privateKey: target.clientKey, sudo: true,
    jump: { host: '127.0.0.1', port: bastion.port, username: 'root', privateKey: bastion.clientKey },
  })
  t.equal((await s.run("echo 'via bastion'")).stdout, 'via bastion', 'sudo -n sh -c quoting')
  await s.close()
  await s.close()
  t.match(bastion.log(), new RegExp(`direct-tcpip.*port ${target.port}|${target.port}.*direct-tcpip|to 127\\.0\\.0\\.1 port ${target.port}`), 'the bastion forwarded the connection')
})

t.test('connection failures are PROV_SSH_CONNECT_FAILED', async (t) => {
  await t.rejects(openSsh({ host: '127.0.0.1', username: 'root', privateKey: target.clientKey }), { code: 'PROV_SSH_CONNECT_FAILED' }, 'port 22 by default: nothing listens there')
  await t.rejects(openSsh({ host: '127.0.0.1', username: 'root', privateKey: target.clientKey, jump: { host: '127.0.0.1', port: bastion.port, username: 'root', privateKey: bastion.clientKey } }), { code: 'PROV_SSH_CONNECT_FAILED' })
  await t.rejects(openSsh({ host: '127.0.0.1', port: 1, username: 'root', privateKey: target.clientKey }), { code: 'PROV_SSH_CONNECT_FAILED' })
  await t.rejects(
    openSsh({ host: '127.0.0.1', port: 1, username: 'root', privateKey: target.clientKey, jump: { host: '127.0.0.1', port: bastion.port, username: 'root', privateKey: bastion.clientKey } }),
    { code: 'PROV_SSH_CONNECT_FAILED', details: { jump: '127.0.0.1' } },
  )
  await t.rejects(
    openSsh({ host: '127.0.0.1', port: target.port, username: 'nobody-here', privateKey: target.clientKey, jump: { host: '127.0.0.1', port: bastion.port, username: 'root', privateKey: bastion.clientKey } }),
    { code: 'PROV_SSH_CONNECT_FAILED' },
  )
})

/** The sshd processes serving a listener's connections (its descendants), deepest first. */
function sessionPids(pid: number): number[] {
  const f = `/proc/${pid}/task/${pid}/children`
  const kids = existsSync(f) ? readFileSync(f, 'utf8').split(' ').filter((x) => x.trim() !== '').map(Number) : []
  return kids.flatMap((k) => [...sessionPids(k), k])
}

/**
 * Reset the session's TCP connection from the server side: stop its sshd processes, make the client send a
 * request they never read, then SIGKILL them. A socket closed with unread data answers with a RST, so the
 * client's socket fails with `read ECONNRESET` (found on the lab: an idle session reset by its peer killed
 * the whole process with an unhandled ssh2 'error' event).
 */
async function resetSessions(listenerPid: number, poke: () => Promise<unknown>): Promise<unknown> {
  const pids = sessionPids(listenerPid)
  for (const p of pids) process.kill(p, 'SIGSTOP')
  const pending = poke().catch((e: unknown) => e)
  await new Promise((r) => setTimeout(r, 300))
  for (const p of pids) process.kill(p, 'SIGKILL')
  return pending
}

t.test('a connection reset by the peer fails the next calls with a typed error, and the process survives', async (t) => {
  const lone = await startSshd({ clientKeyDir: keys })
  t.teardown(() => lone.stop())
  const errors: unknown[] = []
  const onUncaught = (e: unknown): void => void errors.push(e)
  process.on('uncaughtException', onUncaught)
  t.teardown(() => void process.off('uncaughtException', onUncaught))
  const s = await openSsh({ host: '127.0.0.1', port: lone.port, username: 'root', privateKey: lone.clientKey })
  t.equal((await s.run('echo up')).stdout, 'up')
  t.ok(sessionPids(lone.pid).length > 0, 'an sshd process serves the session')
  const inFlight = await resetSessions(lone.pid, () => s.run('echo never'))
  t.match(inFlight, { code: 'PROV_SSH_COMMAND_FAILED', details: { reason: 'connection lost' } }, 'the call in flight fails typed')
  await new Promise((r) => setTimeout(r, 200))
  t.same(errors, [], 'no uncaught error event')
  await t.rejects(s.run('echo again'), { code: 'PROV_SSH_COMMAND_FAILED', message: /connection (lost|closed)/, details: { reason: 'connection lost' } })
  await t.rejects(s.writeFile('/tmp/never', 'x'), { code: 'PROV_SSH_COMMAND_FAILED', details: { reason: 'connection lost' } })
  await s.close()
  await s.close()
})

t.test('the jump host resetting an idle session: the next call fails typed, close() works', async (t) => {
  const jumpSshd = await startSshd({ clientKeyDir: keys })
  t.teardown(() => jumpSshd.stop())
  const errors: unknown[] = []
  const onUncaught = (e: unknown): void => void errors.push(e)
  process.on('uncaughtException', onUncaught)
  t.teardown(() => void process.off('uncaughtException', onUncaught))
  const s = await openSsh({
    host: '127.0.0.1', port: target.port, username: 'root', privateKey: target.clientKey,
    jump: { host: '127.0.0.1', port: jumpSshd.port, username: 'root', privateKey: jumpSshd.clientKey },
  })
  t.equal((await s.run('echo via')).stdout, 'via')
  // Idle: nothing in flight when the bastion's side goes away (the poke is a keepalive-like write on the jump).
  await resetSessions(jumpSshd.pid, () => s.run('true'))
  await new Promise((r) => setTimeout(r, 200))
  t.same(errors, [], 'no uncaught error event')
  await t.rejects(s.run('echo again'), { code: 'PROV_SSH_COMMAND_FAILED', details: { reason: 'connection lost' } })
  await s.close()
})

t.test('a connection lost mid-command, and a call after close(), fail typed', async (t) => {
  const lone = await startSshd({ clientKeyDir: keys })
  t.teardown(() => lone.stop())
  const s = await openSsh({ host: '127.0.0.1', port: lone.port, username: 'root', privateKey: lone.clientKey })
  const running = s.run('sleep 5').catch((e: unknown) => e)
  await new Promise((r) => setTimeout(r, 500))
  // Frozen first: killed one by one, the session's sshd could still report `sleep`'s death (exit-signal
  // KILL) before its own (found under load: "command exited SIGKILL" instead of a lost connection).
  const pids = sessionPids(lone.pid)
  for (const p of pids) process.kill(p, 'SIGSTOP')
  for (const p of pids) process.kill(p, 'SIGKILL')
  t.match(await running, { code: 'PROV_SSH_COMMAND_FAILED', details: { reason: 'connection lost' } })
  await s.close()
  const closed = await openSsh({ host: '127.0.0.1', port: lone.port, username: 'root', privateKey: lone.clientKey })
  await closed.close()
  await t.rejects(closed.run('true'), { code: 'PROV_SSH_COMMAND_FAILED', details: { reason: 'connection lost' } }, 'after close(): typed, not node-ssh\'s plain Error')
})
