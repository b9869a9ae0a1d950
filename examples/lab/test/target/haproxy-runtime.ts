import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import t from 'tap'
import type { SshSession } from '@birthday-ha/provisioner'
import { parseServers, readServers, runQuiet, socketRuntimeApi, sshRuntimeApi, targetHealth } from '../../src/target/haproxy-runtime.js'
import { labPorts, startHaproxy } from './fixtures/haproxy.js'

const PORTS = labPorts(18490)

const base = { name: 'app1', sessions: 0, check: 'L7OK' }

t.test('targetHealth maps haproxy states to ELBv2 target health', async (t) => {
  t.equal(targetHealth({ ...base, op: 0, admin: 0x05 }), 'unused', 'disabled in the config')
  t.equal(targetHealth({ ...base, op: 2, admin: 0x01 }), 'unused', 'forced maintenance')
  t.equal(targetHealth({ ...base, op: 2, admin: 0x0c }), 'draining')
  t.equal(targetHealth({ ...base, op: 0, admin: 0x08 }), 'initial', 'drained and not yet passing: registering')
  t.equal(targetHealth({ ...base, op: 2, admin: 0x04 }), 'healthy', 'the `disabled` bit stays once made ready')
  t.equal(targetHealth({ ...base, op: 1, admin: 0 }), 'healthy', 'starting (slowstart) takes traffic')
  t.equal(targetHealth({ ...base, op: 3, admin: 0 }), 'draining', 'stopping')
  t.equal(targetHealth({ ...base, op: 0, admin: 0 }), 'unhealthy')
})

t.test('parseServers refuses answers that are not what it asked for', async (t) => {
  t.throws(() => parseServers('app', 'Unknown command', ''), { code: 'LAB_COMMAND_FAILED' })
  t.throws(() => parseServers('app', '1\n# be_id be_name\n', ''), { code: 'LAB_COMMAND_FAILED' })
  t.throws(() => parseServers('app', '1', ''), { code: 'LAB_COMMAND_FAILED' }, 'no header line')
  t.throws(() => parseServers('app', '1\n# be_name srv_name srv_op_state srv_admin_state\n', ''), { code: 'LAB_COMMAND_FAILED', message: /show stat/ }, 'an empty show stat')
  t.throws(() => parseServers('app', '1\n# be_name srv_name srv_op_state srv_admin_state\n', 'nope'), { code: 'LAB_COMMAND_FAILED', message: /show stat/ })
  const state = '1\n# be_name srv_name srv_op_state srv_admin_state\napp app1 2 4\nother x 2 0\napp app2 0 5\n\n'
  const stat = '# pxname,svname,scur,check_status\napp,app1,3,L7OK\napp,BACKEND,3,\nother,x,1,L4OK\n'
  t.strictSame(parseServers('app', state, stat), [
    { name: 'app1', op: 2, admin: 4, sessions: 3, check: 'L7OK' },
    { name: 'app2', op: 0, admin: 5, sessions: 0, check: '' },
  ])
})

t.test('runQuiet throws on any answer', async (t) => {
  await t.rejects(runQuiet(async () => 'No such server.\n', 'set server app/x state ready'), { code: 'LAB_COMMAND_FAILED', message: /No such server/ })
  await t.resolves(runQuiet(async () => '\n', 'set server app/app1 state ready'))
})

t.test('socketRuntimeApi: a missing socket and a silent one fail with LAB_COMMAND_FAILED', async (t) => {
  const dir = await mkdtemp('/tmp/lab-rt-')
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await t.rejects(socketRuntimeApi(`${dir}/none.sock`)('show info'), { code: 'LAB_COMMAND_FAILED', message: /ENOENT/ })
  const held = new Set<import('node:net').Socket>()
  const silent = createServer((c) => { held.add(c); c.on('error', () => {}) })
  await new Promise<void>((r) => silent.listen(`${dir}/silent.sock`, r))
  await t.rejects(socketRuntimeApi(`${dir}/silent.sock`, 200)('show info'), { code: 'LAB_COMMAND_FAILED', message: /no answer within 200 ms/ })
  for (const c of held) c.destroy()
  await new Promise<void>((r) => silent.close(() => r()))
})

/** An SshSession that runs commands on this machine with sh (what sudo -n sh -c does on a host). */
function localSession(): SshSession {
  const run: SshSession['run'] = async (command, o = {}) => await new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', command])
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    p.on('exit', (code) => (code === 0 ? resolve({ stdout: stdout.trim(), stderr }) : reject(new Error(`exit ${code}: ${stderr}`))))
    p.stdin.end(o.stdin ?? '')
  })
  return { host: 'local', run, writeFile: async () => false, uploadFile: async () => {}, close: async () => {}, [Symbol.asyncDispose]: async () => {} }
}

t.test('sshRuntimeApi speaks to the socket with python3 over the session', async (t) => {
  const dir = await mkdtemp('/tmp/lab-rt-')
  const hx = await startHaproxy(dir, PORTS)
  t.teardown(async () => { await hx.stop(); await rm(dir, { recursive: true, force: true }) })
  const api = sshRuntimeApi(async () => localSession(), hx.socket)
  t.match(await api('show info'), /^Name: HAProxy/m)
  const servers = await readServers(api, 'app')
  t.strictSame(servers.map((s) => [s.name, targetHealth(s)]), [['app1', 'unused'], ['app1-failopen', 'unused'], ['app2', 'unused'], ['app2-failopen', 'unused']])
})

t.test('sshRuntimeApi sends a command once more on a new session when the connection was lost', async (t) => {
  const lost = Object.assign(new Error('edge: SSH connection lost: read ECONNRESET'), { code: 'PROV_SSH_COMMAND_FAILED', details: { reason: 'connection lost' } })
  const dead: SshSession = { ...localSession(), run: async () => { throw lost } }
  const asked: string[] = []
  let current = dead
  const api = sshRuntimeApi(async (o) => {
    asked.push(o?.reopen === true ? 'reopen' : 'cached')
    if (o?.reopen === true) current = { ...localSession(), run: async (_c, x) => ({ stdout: `sent ${x?.stdin ?? ''}`.trim(), stderr: '' }) }
    return current
  }, '/nowhere')
  t.equal(await api('show info'), 'sent show info')
  t.same(asked, ['cached', 'reopen'])
  const failing = sshRuntimeApi(async () => ({ ...localSession(), run: async () => { throw Object.assign(new Error('exit 1'), { code: 'PROV_SSH_COMMAND_FAILED', details: { exitCode: 1 } }) } }), '/nowhere')
  await t.rejects(failing('show info'), { message: 'exit 1' }, 'any other failure is not retried')
  const twice = sshRuntimeApi(async () => dead, '/nowhere')
  await t.rejects(twice('show info'), { code: 'PROV_SSH_COMMAND_FAILED', details: { reason: 'connection lost' } }, 'lost again: the error')
})
