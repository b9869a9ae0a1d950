/* c8 ignore start */ // real hosts: exercised by `npm run lab` and `npm run test:lab`, not by unit tests
import { promoteDr, stackStatus } from '@birthday-ha/provisioner'
import type { LabCommand } from './lab-args.js'
import type { CliIo, CommandRunner } from './lab-cli.js'
import { openLabSession, type LabSession } from './lab-session.js'
import { formatStatus, statusJson } from './status-table.js'
import type { LabId } from '../layout.js'

const secs = (t0: number): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`

/** `up`: tools, hosts and networks, load balancer, host configuration, deploy; prints url: and the status. */
export async function up(l: LabSession, io: CliIo): Promise<{ rewritten: number; restarted: number; started: number }> {
  const t0 = performance.now()
  io.err('up: tools\n')
  await l.target.lab.ensureTools()
  io.err('up: hosts, networks and the load balancer\n')
  await l.target.infrastructure.apply(l.stack, { onProgress: (e) => io.err(`  ${e.detail ?? e.event}\n`) })
  await l.publishNode()
  io.err(`up: hosts ready after ${secs(t0)}; configuring them\n`)
  const report = await l.configure()
  io.err(`up: configured after ${secs(t0)} (leader ${report.leader})\n`)
  const a = await l.artifact()
  const releases = await l.releases()
  const health = await l.target.loadBalancer.health(l.stack)
  const want = `/opt/birthday/releases/${a.version}`
  if ([...releases].every(([h, r]) => r === want && health.get(h) === 'healthy')) {
    io.err(`up: every app host already runs ${a.version}\n`)
  } else {
    io.err(`up: deploying ${a.version} (sha256 ${a.sha256})\n`)
    await l.deploy(a)
  }
  const status = await stackStatus(l.stack, { sessions: await l.sessions(), loadBalancer: l.target.loadBalancer })
  const counts = { rewritten: report.written.length, restarted: report.restarted.length, started: report.started.length }
  io.out(`${counts.rewritten} files rewritten, ${counts.restarted} units restarted, ${counts.started} units started\n`)
  io.out(`url: ${await l.target.loadBalancer.url(l.stack)}\n`)
  io.out(`${formatStatus(status)}\n`)
  io.err(`up: done in ${secs(t0)}\n`)
  return counts
}

/** Every command of the lab CLI against the lab `id`. */
export function labCommands(id: LabId, io: CliIo): CommandRunner {
  return async (c: Exclude<LabCommand, { name: 'help' | 'version' }>) => {
    await using l = await openLabSession({ id, log: (line) => io.err(`${line}\n`) })
    const lab = l.target.lab
    switch (c.name) {
      case 'up':
        await up(l, io)
        return 0
      case 'status': {
        const s = await stackStatus(l.stack, { sessions: await l.sessions(), loadBalancer: l.target.loadBalancer })
        io.out(`${c.json ? statusJson(s) : `url: ${await l.target.loadBalancer.url(l.stack)}\n${formatStatus(s)}`}\n`)
        return s.healthy ? 0 : 1
      }
      case 'deploy': {
        const a = await l.artifact()
        io.err(`deploy: ${a.version} (sha256 ${a.sha256})\n`)
        const done = await l.deploy(a)
        io.out(`deployed ${a.version} to ${done.join(', ')}\n`)
        return 0
      }
      case 'down': {
        const removed = await l.target.infrastructure.destroy(l.stack, { confirm: true })
        const check = await lab.checkTeardown()
        io.out(`removed ${removed.length} hosts; teardown check: ${check.ok ? 'nothing left' : `left: ${check.leftovers.join(', ')}`}\n`)
        return check.ok ? 0 : 1
      }
      case 'promote-dr': {
        const r = await promoteDr(l.stack, { sessions: await l.sessions(), loadBalancer: l.target.loadBalancer, secrets: await l.target.secrets.read(l.stack), confirm: true })
        io.out(`${JSON.stringify(r)}\n`)
        return 0
      }
      case 'rebuild-primary':
        io.out(`${JSON.stringify(await l.rebuildPrimary())}\n`)
        return 0
      case 'fail-back':
        io.out(`${JSON.stringify(await l.failBack())}\n`)
        return 0
      case 'power-off':
        lab.host(c.host)
        await lab.powerOff(c.host)
        return 0
      case 'freeze':
        lab.host(c.host)
        await lab.freeze(c.host)
        return 0
      case 'thaw':
        lab.host(c.host)
        await lab.thaw(c.host)
        return 0
      case 'boot':
        lab.host(c.host)
        await lab.boot(c.host)
        return 0
      case 'partition':
        for (const h of [c.host, ...c.from]) lab.host(h)
        await lab.partition(c.host, c.from)
        return 0
      case 'heal':
        await lab.heal()
        return 0
      case 'delay':
        await lab.delayDr(c.ms)
        return 0
      default:
        return 2
    }
  }
}
/* c8 ignore stop */
