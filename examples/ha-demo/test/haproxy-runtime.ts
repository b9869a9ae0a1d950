import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { haproxyCommand, parseShowStat, setServerState, showServers } from '../src/haproxy-runtime.js'

const CSV = [
  '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status',
  'fe_http,FRONTEND,,,3,5,8192,10,0,0,0,0,0,,,,,OPEN',
  'be_app,app1,0,0,2,3,,5,0,0,,0,,0,0,0,0,UP',
  'be_app,app2,0,0,0,1,,5,0,0,,0,,0,0,0,0,MAINT',
  'be_app,BACKEND,0,0,2,3,,10,0,0,0,0,,0,0,0,0,UP',
  '',
].join('\n')

t.test('parseShowStat keeps server rows', async (t) => {
  t.strictSame(parseShowStat(CSV), [
    { backend: 'be_app', server: 'app1', status: 'UP', sessions: 2 },
    { backend: 'be_app', server: 'app2', status: 'MAINT', sessions: 0 },
  ])
  t.throws(() => parseShowStat('Unknown command'), { code: 'DEMO_HAPROXY_COMMAND' })
  t.throws(() => parseShowStat(''), { code: 'DEMO_HAPROXY_COMMAND' })
})

t.test('the runtime API client against a fake socket', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'hademo-sock-'))
  const path = join(dir, 'h.sock')
  const commands: string[] = []
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', (d) => {
      const cmd = d.toString().trim()
      commands.push(cmd)
      if (cmd === 'hang') return
      socket.end(cmd === 'show stat' ? CSV : cmd.includes('nosuch') ? 'No such server.\n' : '\n')
    })
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  t.teardown(async () => { server.close(); await rm(dir, { recursive: true, force: true }) })
  t.equal((await showServers(path)).length, 2)
  await setServerState(path, 'be_app', 'app1', 'drain')
  await t.rejects(setServerState(path, 'be_app', 'nosuch', 'ready'), { code: 'DEMO_HAPROXY_COMMAND', message: /No such server/ })
  await t.rejects(haproxyCommand(path, 'hang', 100), { code: 'DEMO_HAPROXY_COMMAND', message: /no answer within 100 ms/ })
  await t.rejects(haproxyCommand(join(dir, 'none.sock'), 'show stat'), { code: 'DEMO_HAPROXY_COMMAND', message: /ENOENT/ })
  t.strictSame(commands, ['show stat', 'set server be_app/app1 state drain', 'set server be_app/nosuch state ready', 'hang'])
})
