// Regression for issue #8 (found on a real Debian 13 host): the etcd unit is `Type=notify`, so
// systemd waits for READY=1 on $NOTIFY_SOCKET (sd_notify(3)). `ExecStart=/usr/bin/env -i …`
// removed that variable, etcd never reported ready and `systemctl enable --now` timed out.
// Here the unit's own ExecStart runs the way systemd runs it (argv split, no shell, NOTIFY_SOCKET
// in its environment) against a real etcd, with a datagram socket standing in for systemd's.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { etcdUnit } from '../../src/host/units.js'
import { renderEtcdConfig } from '../../src/render/index.js'

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const s = createServer()
  s.once('error', reject)
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number }
    s.close(() => resolve(port))
  })
})

/** A unix datagram socket (Node has none): python3 prints each message it receives. */
function notifySocket(path: string): { proc: ChildProcess; messages: () => string } {
  let out = ''
  const py = 'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint("bound",flush=True)\nwhile True:\n  print(s.recv(4096).decode().replace("\\n"," "),flush=True)\n'
  const proc = spawn('/usr/bin/python3', ['-c', py, path], { stdio: ['ignore', 'pipe', 'inherit'] })
  proc.stdout.on('data', (d: Buffer) => void (out += d.toString()))
  return { proc, messages: () => out }
}

const until = async (check: () => boolean, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (check()) return true
  return check()
}

async function startLikeSystemd(execStart: string, t: { teardown: (fn: () => void) => void }): Promise<{ ready: boolean; serving: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'etcd-notify-'))
  const [client, peer] = [await freePort(), await freePort()]
  const config = join(dir, 'etcd.yml')
  writeFileSync(config, renderEtcdConfig({
    name: 'n1', dataDir: join(dir, 'data'), clientUrl: `http://127.0.0.1:${client}`, peerUrl: `http://127.0.0.1:${peer}`,
    initialCluster: [{ name: 'n1', peerUrl: `http://127.0.0.1:${peer}` }], initialClusterToken: 'notify-test',
  }))
  const sock = notifySocket(join(dir, 'notify'))
  t.teardown(() => void sock.proc.kill('SIGKILL'))
  await until(() => sock.messages().includes('bound'), 5000)
  // systemd.service(5): ExecStart is split into words and executed directly, without a shell.
  const [bin, ...args] = execStart.replace('/etc/birthday-ha/etcd.yml', config).split(/\s+/)
  const etcd = spawn(bin!, args, { env: { PATH: '/usr/bin:/bin', NOTIFY_SOCKET: join(dir, 'notify') }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  etcd.stderr.on('data', (d: Buffer) => void (stderr += d.toString()))
  t.teardown(() => void etcd.kill('SIGKILL'))
  // etcd serves clients, then notifies systemd (etcdmain/etcd.go: serve, then notifySystemd).
  const serving = await until(() => stderr.includes('serving client traffic'), 10_000)
  const ready = await until(() => sock.messages().includes('READY=1'), 2000)
  return { ready, serving: serving && etcd.exitCode === null }
}

const execStartOf = (content: string): string => /^ExecStart=(.*)$/m.exec(content)![1]!

t.test('gh-8: the etcd unit reports READY=1 on NOTIFY_SOCKET', async (t) => {
  const unit = etcdUnit().content
  t.match(unit, /^Type=notify$/m)
  t.notMatch(execStartOf(unit), /\benv\b/, 'no env wrapper in front of a Type=notify daemon')
  t.notMatch(unit, /^UnsetEnvironment=.*NOTIFY_SOCKET/m)
  const r = await startLikeSystemd(execStartOf(unit), t)
  t.ok(r.serving, 'etcd serves')
  t.ok(r.ready, 'etcd sent READY=1')
})

t.test('gh-8: the old `env -i` ExecStart never does (the bug this guards against)', async (t) => {
  const r = await startLikeSystemd(`/usr/bin/env -i ${execStartOf(etcdUnit().content)}`, t)
  t.ok(r.serving, 'etcd serves')
  t.notOk(r.ready, 'but never sends READY=1: env -i dropped NOTIFY_SOCKET')
})
