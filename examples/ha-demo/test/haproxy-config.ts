import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ensureSystemPackages } from '@birthday-ha/local-cluster'
import { BACKENDS, checkTiming, drainDelayFor, renderAppHaproxyConfig } from '../src/haproxy-config.js'
import { HaDemoError } from '../src/errors.js'

const servers = [{ name: 'app1', port: 8101 }, { name: 'app2', port: 8102 }]

t.test('defaults: inter 1 s fall 2 rise 1, drain delay 2.5 s', async (t) => {
  t.strictSame(checkTiming({}), { interMs: 1000, fall: 2, rise: 1 })
  t.equal(drainDelayFor(checkTiming({})), 2500)
  t.strictSame(checkTiming({ check: { interMs: 500, fall: 3, rise: 2 } }), { interMs: 500, fall: 3, rise: 2 })
})

t.test('the rendered config: HTTP mode, readyz checks, safe retries, fail-open, runtime socket', async (t) => {
  const cfg = renderAppHaproxyConfig({ port: 8000, servers, socketPath: '/tmp/x.sock' })
  for (const line of [
    'stats socket /tmp/x.sock mode 600 level admin', 'mode http', 'retries 3', 'option redispatch 1',
    'retry-on conn-failure empty-response', 'default-server inter 1000ms fall 2 rise 1', 'bind 127.0.0.1:8000',
    `use_backend ${BACKENDS.failOpen} if { nbsrv(${BACKENDS.ready}) eq 0 }`, 'option httpchk GET /readyz', 'option httpchk GET /healthz',
    'server app1 127.0.0.1:8101 check', 'server app2 127.0.0.1:8102 check', 'timeout server 25000ms',
  ]) t.ok(cfg.includes(`    ${line}\n`), line)
  t.match(cfg, /http-error status 503 content-type application\/problem\+json string '\{.*\}' hdr Retry-After 1/)
  const custom = renderAppHaproxyConfig({ port: 9000, servers, socketPath: '/s', check: { interMs: 500, fall: 3, rise: 2 }, serverTimeoutMs: 5000 })
  t.ok(custom.includes('default-server inter 500ms fall 3 rise 2') && custom.includes('timeout server 5000ms'))
  t.throws(() => renderAppHaproxyConfig({ port: 1, servers: [], socketPath: '/s' }), new HaDemoError('DEMO_BAD_OPTIONS', 'the app haproxy needs at least one server'))
})

t.test('haproxy -c accepts the rendered config', async (t) => {
  await ensureSystemPackages()
  const dir = await mkdtemp(join(tmpdir(), 'hademo-cfg-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  await writeFile(join(dir, 'h.cfg'), renderAppHaproxyConfig({ port: 18000, servers, socketPath: join(dir, 'h.sock') }))
  const { stdout } = await promisify(execFile)('/usr/sbin/haproxy', ['-c', '-f', join(dir, 'h.cfg')])
  t.match(stdout, /Configuration file is valid/)
})
