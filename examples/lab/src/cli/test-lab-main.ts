#!/usr/bin/env node
/* c8 ignore start */ // `npm run test:lab`: the whole path on real hosts; its parts are unit-tested, this is their end-to-end run
import { stackStatus, type SshSessionFactory, type Stack } from '@birthday-ha/provisioner'
import { LoadGenerator, httpSender, verifyAcks, type RequestRecord } from '@birthday-ha/ha-demo/dist/index.js'
import type { CliIo } from './lab-cli.js'
import { openLabSession, type LabSession } from './lab-session.js'

const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }
const t0 = performance.now()
const at = (): string => `${((performance.now() - t0) / 1000).toFixed(1)} s`
const results: { name: string; ok: boolean; detail: string }[] = []
const check = (name: string, ok: boolean, detail: string): void => {
  results.push({ name, ok, detail })
  io.out(`${ok ? 'ok' : 'not ok'} ${results.length} - ${name}: ${detail} (${at()})\n`)
}

/** The value each user holds on the current leader (read over SSH with psql: the lab's 10.x addresses are not routed here). */
async function stored(l: LabSession, sessions: SshSessionFactory, prefix: string): Promise<Map<string, string>> {
  const s = await leaderStatus(l)
  const leader = l.target.lab.host(s)
  const ssh = await sessions({ host: leader.ip, name: leader.name })
  try {
    const sql = `SELECT username_key, date_of_birth::text FROM birthdays WHERE username_key LIKE '${prefix}%'`
    const r = await ssh.run(`sudo -u postgres psql -h /var/run/birthday-ha -d ${l.stack.database.name} -At -F ' ' -c "${sql}"`)
    return new Map(r.stdout.split('\n').filter((x) => x !== '').map((x) => x.split(' ') as [string, string]))
  } finally {
    await ssh.close()
  }
}

async function leaderStatus(l: LabSession, not?: string, waitMs = 120_000): Promise<string> {
  const until = performance.now() + waitMs
  for (;;) {
    const s = await stackStatus(l.stack, { sessions: await l.sessions(), loadBalancer: l.target.loadBalancer }).catch(() => undefined)
    const leader = s?.members.find((m) => m.cluster === 'primary' && m.role === 'leader' && m.name !== not)
    if (leader !== undefined) return leader.name
    if (performance.now() > until) throw new Error(`no primary leader${not === undefined ? '' : ` other than ${not}`} after ${waitMs} ms`)
    await new Promise((r) => setTimeout(r, 1_000))
  }
}

async function underLoad(l: LabSession, prefix: string, during: () => Promise<void>): Promise<{ records: RequestRecord[]; load: LoadGenerator }> {
  const url = (await l.target.loadBalancer.url(l.stack))!
  const http = httpSender(url)
  const load = new LoadGenerator({ send: http.send, ratePerSecond: 20, putRatio: 0.5, timeoutMs: 15_000, userPrefix: prefix })
  load.start()
  try {
    await new Promise((r) => setTimeout(r, 3_000))
    await during()
    await new Promise((r) => setTimeout(r, 3_000))
  } finally {
    await load.stop()
    http.close()
  }
  return { records: load.records, load }
}

const failed = (rs: readonly RequestRecord[]): RequestRecord[] => rs.filter((r) => r.status < 200 || r.status >= 300)

async function main(stack?: Stack): Promise<number> {
  void stack
  const id = { name: process.env['LAB_NAME'] ?? 'labtest', slot: Number(process.env['LAB_SLOT'] ?? 7) }
  await using l = await openLabSession({ id, log: (line) => io.err(`${line}\n`) })
  try {
    await l.target.lab.ensureTools()
    await l.target.infrastructure.apply(l.stack)
    await l.publishNode()
    const first = await l.configure()
    check('apply + host configuration', first.leader !== '', `leader ${first.leader}, ${first.written.length} files written, ${first.started.length} units started`)
    const a1 = await l.target.infrastructure.apply(l.stack)
    check('second apply changes no host', a1.created.length === 0 && a1.updated.length === 0, `created ${a1.created.length}, updated ${a1.updated.length}, kept ${a1.kept.length}`)
    const second = await l.configure()
    check('second configure: 0 files rewritten, 0 units restarted', second.written.length === 0 && second.restarted.length === 0 && second.started.length === 0,
      `${second.written.length} files rewritten, ${second.restarted.length} units restarted, ${second.started.length} started${second.written.length > 0 ? `: ${second.written.join(', ')}` : ''}`)
    const first0 = await l.artifact()
    await l.deploy(first0)
    check('first deploy: the API answers through the load balancer', (await fetch(`${await l.target.loadBalancer.url(l.stack)}/readyz`)).status === 200, `release ${first0.version}`)
    const sessions = await l.sessions()

    const artifact = await l.artifact()
    const d = await underLoad(l, 'tldeploy', async () => void (await l.deploy(artifact)))
    const dFailed = failed(d.records)
    check('deploy under load: 0 failed requests', d.records.length > 0 && dFailed.length === 0, `${d.records.length} requests, ${dFailed.length} failed${dFailed.length > 0 ? `: ${JSON.stringify(dFailed.slice(0, 3))}` : ''}`)
    const dv = verifyAcks(d.load.users, await stored(l, sessions, 'tldeploy'))
    check('deploy under load: every acknowledged write read back', dv.checked > 0 && dv.lost.length === 0, `${dv.checked} users checked, ${dv.lost.length} lost`)

    const leader = await leaderStatus(l)
    let newLeader = ''
    const p = await underLoad(l, 'tlpower', async () => {
      io.err(`power-off ${leader} (the Patroni leader's host)\n`)
      await l.target.lab.powerOff(leader)
      newLeader = await leaderStatus(l, leader)
    })
    const pv = verifyAcks(p.load.users, await stored(l, sessions, 'tlpower'))
    check(`power-off of the leader ${leader}: a new leader`, newLeader !== '' && newLeader !== leader, `new leader ${newLeader}; ${failed(p.records).length} of ${p.records.length} requests failed during the failover`)
    check('power-off of the leader: every acknowledged write read back', pv.checked > 0 && pv.lost.length === 0, `${pv.checked} users checked, ${pv.lost.length} lost${pv.lost.length > 0 ? `: ${JSON.stringify(pv.lost.slice(0, 3))}` : ''}`)
  } finally {
    await l.target.infrastructure.destroy(l.stack, { confirm: true }).catch((err: unknown) => io.err(`down failed: ${String(err)}\n`))
    const td = await l.target.lab.checkTeardown()
    check('down leaves nothing behind', td.ok, td.ok ? 'teardown check clean' : td.leftovers.join(', '))
  }
  const bad = results.filter((r) => !r.ok)
  io.out(`# test:lab ${results.length - bad.length}/${results.length} passed in ${at()}\n`)
  return bad.length === 0 ? 0 : 1
}

try {
  process.exitCode = await main()
} catch (err) {
  io.err(`test:lab: ${(err as { code?: string }).code ?? ''} ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
}
/* c8 ignore stop */
