// The lab for real: image (from the cache or built), every host booted with systemd, SSH through the
// bastion, power cut + boot, freeze/thaw, partition/heal, the peering delay, files for the hosts, and
// the teardown check. Needs root and the lab's tools (scripts/ensure-lab-tools.sh installs them).
// Run: flock /tmp/suite-lab.lock npx tap test/integration/lab.ts
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import t from 'tap'
import { openLab } from '../../src/lab.js'
import { execRunner } from '../../src/runner.js'
import { checkTeardown } from '../../src/teardown/teardown-check.js'
import { labStack } from '../helpers/stack.js'

// ssh runs in a process group of its own: on a timeout the whole group goes (the ProxyJump child too,
// which would otherwise keep the pipes open while it waits on a frozen host).
const ssh = (config: string, host: string, cmd: string, timeoutMs = 15_000): Promise<{ code: number | null; out: string }> =>
  new Promise((resolve) => {
    const c = spawn('ssh', ['-F', config, host, cmd], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let out = ''
    c.stdout.on('data', (b: Buffer) => (out += b.toString()))
    c.stderr.on('data', (b: Buffer) => (out += b.toString()))
    const timer = setTimeout(() => process.kill(-(c.pid as number), 'SIGKILL'), timeoutMs)
    c.on('exit', (code) => {
      clearTimeout(timer)
      try { process.kill(-(c.pid as number), 'SIGKILL') } catch { /* the group is gone */ }
      setTimeout(() => resolve({ code, out }), 50)
    })
  })

const avgRttMs = (ping: string): number => Number(/= [\d.]+\/([\d.]+)\//.exec(ping)?.[1] ?? 'NaN')

t.test('a lab of real hosts', async (t) => {
  if (process.getuid?.() !== 0) return void t.fail('the lab needs root: run the suite as root')
  const stack = await labStack()
  const lines: string[] = []
  const lab = openLab({ stack, id: { name: 'itest', slot: 5 }, edgePorts: [8404], log: (l) => lines.push(l) })
  t.teardown(() => lab.down())
  await lab.down() // leftovers of an interrupted earlier run
  await lab.ensureTools()
  // a network left half-built by an interrupted up: the next up removes it and builds it whole
  await execRunner().run(['ip', 'netns', 'add', lab.host('db1').ns])

  const up = await lab.up()
  t.strictSame([...up.booted].sort(), ['app1', 'app2', 'bastion', 'db1', 'db2', 'db3', 'dr1', 'edge'])
  t.comment(`up: ${JSON.stringify(up.seconds)} (image ${up.image.built ? 'built' : 'cached'})`)
  t.ok(lines.some((l) => l.startsWith('boot db1')))
  const again = await lab.up()
  t.strictSame(again.booted, [], 'a second up boots nothing')

  const running = await lab.checkTeardown()
  t.equal(running.ok, false)
  for (const kind of ['cgroup', 'process', 'mount', 'namespace', 'link', 'route']) {
    t.ok(running.leftovers.some((l) => l.startsWith(`${kind} `)), `while it runs the check sees a ${kind}`)
  }
  const unguarded = await checkTeardown({ ...lab.plan, guardRoutes: ['10.99.0.0/16'] }, lab.layout, execRunner())
  t.ok(unguarded.leftovers.includes('missing guard route unreachable 10.99.0.0/16'))

  const access = await lab.ssh()
  t.equal(access.bastion, '198.18.5.100')
  t.equal(access.user, 'admin')
  const viaBastion = await ssh(access.configPath, 'db1', 'hostname; sudo -n true && echo sudo-ok; systemctl is-system-running')
  t.equal(viaBastion.code, 0, viaBastion.out)
  t.match(viaBastion.out, /^db1\nsudo-ok\nrunning\n/)
  const dr = await ssh(access.configPath, 'dr1', 'hostname')
  t.equal(dr.out.trim(), 'dr1', 'the DR host through the peering')

  const machines = await lab.machines()
  t.strictSame(machines.find((m) => m.name === 'edge'), { name: 'edge', role: 'edge', ip: '10.10.0.20', publicIp: '198.18.5.80', state: 'running' })
  t.equal((await lab.exec('db1', ['systemctl', 'is-system-running'])).stdout.trim(), 'running')
  t.ok((await lab.memoryBytes('db1')) > 1_000_000, 'RAM is charged to the host\'s memory cgroup')

  await t.test('apt through the proxy; nothing else out', async (t) => {
    const apt = await lab.exec('db2', ['apt-get', 'update'], { allowFail: true })
    t.equal(apt.code, 0, apt.stderr)
    t.notMatch(apt.stdout + apt.stderr, /Failed to fetch|Unable to connect/, 'apt-get update exits 0 even when it reached nothing')
    const other = await lab.exec('db2', ['curl', '-s', '-m', '2', '-o', '/dev/null', 'http://198.18.5.1:22/'], { allowFail: true })
    t.not(other.code, 0, 'the root side answers only at the apt proxy')
    const dir = await mkdtemp(`${tmpdir()}/lab-itest-`)
    await writeFile(`${dir}/hello.txt`, 'hello from the lab\n')
    const url = await lab.publishFile({ path: `${dir}/hello.txt`, name: 'itest-hello.txt' })
    t.equal(url, 'http://198.18.5.1:3142/files/itest-hello.txt')
    t.equal((await lab.exec('app1', ['curl', '-sf', url])).stdout, 'hello from the lab\n')
    await rm(`${lab.layout.filesDir}/itest-copy.txt`, { force: true }) // the files dir is a cache kept between runs
    const sha256 = createHash('sha256').update('hello from the lab\n').digest('hex')
    t.equal(await lab.publishFile({ url, sha256, name: 'itest-copy.txt' }), 'http://198.18.5.1:3142/files/itest-copy.txt', 'a download (here from the lab itself)')
  })

  await t.test('partition and heal', async (t) => {
    await lab.partition('db1', ['db2'])
    t.not((await lab.exec('db1', ['ping', '-c1', '-W1', '10.10.11.10'], { allowFail: true })).code, 0, 'db1 cannot reach db2')
    t.not((await lab.exec('db2', ['ping', '-c1', '-W1', '10.10.10.10'], { allowFail: true })).code, 0, 'nor db2 db1')
    t.equal((await lab.exec('db1', ['ping', '-c1', '-W1', '10.10.12.10'], { allowFail: true })).code, 0, 'db3 still reachable')
    await lab.partition('db3')
    t.not((await lab.exec('db3', ['ping', '-c1', '-W1', '10.10.0.10'], { allowFail: true })).code, 0, 'db3 cut from everyone')
    await lab.heal('db1')
    t.equal((await lab.exec('db1', ['ping', '-c1', '-W1', '10.10.11.10'], { allowFail: true })).code, 0)
    await lab.heal()
    t.equal((await lab.exec('db3', ['ping', '-c1', '-W1', '10.10.0.10'], { allowFail: true })).code, 0)
  })

  await t.test('the DR peering delay', async (t) => {
    await lab.delayDr(15)
    const slow = await lab.exec('db1', ['ping', '-c3', '-i', '0.2', '10.20.10.10'])
    t.ok(avgRttMs(slow.stdout) >= 30, `RTT ${avgRttMs(slow.stdout)} ms with 15 ms each way`)
    await lab.delayDr(0)
    const fast = await lab.exec('db1', ['ping', '-c3', '-i', '0.2', '10.20.10.10'])
    t.ok(avgRttMs(fast.stdout) < 15, `RTT ${avgRttMs(fast.stdout)} ms without delay`)
  })

  await t.test('freeze and thaw', async (t) => {
    await lab.freeze('db1')
    t.equal((await lab.machines()).find((m) => m.name === 'db1')?.state, 'frozen')
    t.not((await ssh(access.configPath, 'db1', 'true', 3000)).code, 0, 'a frozen host accepts nothing')
    await lab.thaw('db1')
    t.equal((await ssh(access.configPath, 'db1', 'hostname')).out.trim(), 'db1')
  })

  await t.test('power cut and boot from the same disk', async (t) => {
    const id = (await lab.exec('db1', ['cat', '/etc/machine-id'])).stdout
    await lab.exec('db1', ['sh', '-c', 'echo kept > /var/tmp/mark && sync'])
    await lab.powerOff('db1')
    t.equal((await lab.machines()).find((m) => m.name === 'db1')?.state, 'stopped')
    await t.rejects(lab.exec('db1', ['true']), { code: 'LAB_UNKNOWN_HOST' })
    const t0 = performance.now()
    await lab.boot('db1')
    t.comment(`db1 booted again in ${Math.round(performance.now() - t0)} ms`)
    t.equal((await lab.exec('db1', ['cat', '/etc/machine-id'])).stdout, id, 'same identity')
    t.equal((await lab.exec('db1', ['cat', '/var/tmp/mark'])).stdout, 'kept\n', 'same disk')
    t.equal((await ssh(access.configPath, 'db1', 'hostname')).out.trim(), 'db1')
  })

  await t.test('unknown hosts and bad ids are refused', async (t) => {
    t.throws(() => lab.host('db9'), { code: 'LAB_UNKNOWN_HOST' })
    t.throws(() => openLab({ stack, id: { name: 'Bad!', slot: 0 } }), { code: 'LAB_INVALID_OPTIONS' })
    t.equal(openLab({ stack }).plan.uplink.a.dev, 'bhl-lab', 'the default lab id')
  })

  await t.test('down keeping the disks, then a warm up', async (t) => {
    await lab.down({ keepDisks: true })
    t.strictSame((await lab.checkTeardown()).leftovers, [])
    t.equal((await lab.machines()).find((m) => m.name === 'db1')?.state, 'stopped')
    const t0 = performance.now()
    // another Lab object (as another process would open it): the lab's state lives in files
    const warm = await openLab({ stack, id: { name: 'itest', slot: 5 }, edgePorts: [8404] }).up()
    t.comment(`warm up of ${warm.booted.length} hosts: ${Math.round(performance.now() - t0)} ms`)
    t.equal(warm.booted.length, 8)
    t.equal((await lab.exec('db1', ['cat', '/var/tmp/mark'])).stdout, 'kept\n')
  })

  await lab.down()
  const report = await lab.checkTeardown()
  t.strictSame(report, { ok: true, leftovers: [] }, 'nothing of the lab is left')
  t.equal((await lab.machines()).find((m) => m.name === 'db1')?.state, 'missing', 'disks wiped')
})
