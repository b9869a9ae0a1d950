import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import t from 'tap'
import { labConfig, labPorts } from './fixtures/haproxy.js'

t.test('the rendered config is valid for haproxy (haproxy -c) and checks /readyz like the target group', async (t) => {
  const dir = await mkdtemp('/tmp/lab-cfg-')
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const cfg = labConfig(dir, labPorts(18480))
  await writeFile(`${dir}/h.cfg`, cfg)
  const { stdout } = await promisify(execFile)('haproxy', ['-c', '-f', `${dir}/h.cfg`])
  t.match(stdout, /Configuration file is valid/)
  t.match(cfg, /option httpchk GET \/readyz\n {2}http-check expect status 200\n {2}default-server check inter 200ms rise 2 fall 2\n/)
  t.match(cfg, /server app1 127\.0\.0\.1:18481 disabled\n {2}server app1-failopen 127\.0\.0\.1:18481 disabled backup no-check\n {2}server app2 127\.0\.0\.1:18482 disabled\n/)
  t.match(cfg, /option allbackups/)
  t.match(cfg, /load-server-state-from-file global/)
})
