#!/usr/bin/env node
/* c8 ignore start */ // `npm run bench:lab`: the failover benchmark on real hosts; the argument parsing and its parts are unit-tested
// The failover benchmark's network faults (a partition of the leader from the other DB hosts, a
// blackholed leader host) on the lab: `up`, then the worker inside app1's network namespace, then `down`.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ensureSystemPackages } from '@birthday-ha/local-cluster'
import { PG_NATIVE_HINT, table, type Row } from '@birthday-ha/local-cluster/bench'
import type { WorkerInput } from '../bench/worker.js'
import { decodeRows } from '../bench/rows-json.js'
import { heal } from '../faults/partition.js'
import { execRunner } from '../runner.js'
import { BENCH_USAGE, parseBenchArgs } from './bench-args.js'
import { up } from './lab-commands.js'
import type { CliIo } from './lab-cli.js'
import { openLabSession } from './lab-session.js'

const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }
const t0 = performance.now()
const minutes = (): string => `${((performance.now() - t0) / 60_000).toFixed(1)} min`
const log = (line: string): void => void io.err(`[${minutes()}] ${line}\n`)

/** How a worker ended: its rows, or the signal or code it died with (pg-native can abort the process). */
type WorkerEnd = { readonly rows: Row[] } | { readonly died: string }

/** The worker running now: it has a process group of its own, so a Ctrl-C here does not reach it. */
let current: number | undefined
/** Set by SIGINT/SIGTERM during a round: the worker's group is killed, the DB hosts healed, and the run stops (its `finally` still takes the lab down). */
let interrupted: NodeJS.Signals | undefined
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // Between rounds (in `up`, say) as Node would by default; `lab down` or a rerun picks the lab up from there.
    if (current === undefined) process.exit(130)
    interrupted = signal
    killGroup(current)
  })
}
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // the group is gone
  }
}

/** Runs the worker in `ns` with `input` on its stdin. */
async function runWorker(ns: string, input: WorkerInput): Promise<WorkerEnd> {
  const worker = fileURLToPath(new URL('../bench/worker.js', import.meta.url))
  // A process group of its own: whatever it leaves when it dies (its haproxies) goes with it below.
  // The five writers share the worker's libuv threadpool (4 threads by default): pg-native's connects to a
  // blackholed host held it for their whole connect_timeout, and the JavaScript writers' SCRAM hashing, which runs
  // there too, waited ~10 s behind them (all three recovered at the same instant, 11 s after the promotion). 64
  // threads keep one writer's blocking out of the others' way.
  const env = { ...process.env, UV_THREADPOOL_SIZE: '64' }
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, worker], { stdio: ['pipe', 'pipe', 'inherit'], detached: true, env })
  current = child.pid
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stdin.end(JSON.stringify(input))
  const end = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  current = undefined
  killGroup(child.pid as number) // what a dead worker left (its haproxies); nothing if it stopped them itself
  if (end.code === 0) return { rows: decodeRows(out.trim().split('\n').at(-1) ?? '') }
  return { died: end.signal ?? `exit code ${end.code}` }
}

/** A round is run again after its worker died, at most this often; then the bench fails. */
const MAX_DEATHS = 5

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseBenchArgs(argv, process.env)
  if (!parsed.ok) {
    io.err(`bench:lab: ${parsed.error}\n\n${BENCH_USAGE}\n`)
    return 2
  }
  const c = parsed.command
  if (c.name !== 'run') {
    io.out(c.name === 'help' ? `${BENCH_USAGE}\n` : `${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`)
    return 0
  }
  if ((await import('pg')).default.native === null) {
    io.err(`bench:lab: ${PG_NATIVE_HINT}\n`)
    return 2
  }
  await ensureSystemPackages() // the machine's haproxy, run in app1's namespace
  await using l = await openLabSession({ id: c.lab, log })
  const rows: Row[] = []
  const deaths: string[] = []
  let code = 0
  try {
    await up(l, { out: io.err, err: io.err })
    const hosts = l.target.lab.plan.hosts
    const app = hosts.find((h) => h.role === 'app') ?? hosts[0]
    if (app === undefined) throw new Error('the lab has no hosts')
    const secrets = await l.target.secrets.read(l.stack)
    log(`${c.runs} run(s) of a partition and a blackhole of the leader, the writers in ${app.name}'s network namespace`)
    const db = hosts.filter((h) => h.role === 'db')
    // What a dead or killed worker could not undo: its partition of the leader.
    const healAll = async (): Promise<void> => void (await Promise.all(db.map((h) => heal(execRunner(), h))))
    const base = {
      rate: c.rate, ...(c.opsDir === undefined ? {} : { opsDir: c.opsDir }), hosts: [...hosts], db: db.map((h) => h.name),
      creds: { user: l.stack.database.appUser, password: secrets['app-password'], database: l.stack.database.name },
      haproxyPort: 26_640,
      // the REST user every DB host's patroni.yml gets (provisioner's host-plan.ts)
      restAuth: { username: 'patroni', password: secrets['rest-password'] },
    }
    // One worker per round: a worker that dies (pg-native has aborted the whole process) costs one round, not the run.
    for (let run = 1; run <= c.runs; run++) {
      for (const fault of ['partition', 'blackhole'] as const) {
        for (;;) {
          const end = await runWorker(app.ns, { ...base, run, faults: [fault] })
          if ('rows' in end) {
            rows.push(...end.rows)
            break
          }
          await healAll()
          if (interrupted !== undefined) throw new Error(`interrupted (${interrupted}) in ${fault} run ${run}`)
          deaths.push(`${fault} run ${run}: ${end.died}`)
          log(`the worker died (${end.died}) in ${fault} run ${run}: the DB hosts are healed; running the round again`)
          if (deaths.length >= MAX_DEATHS) throw new Error(`the bench worker died ${deaths.length} times: ${deaths.join('; ')}`)
        }
      }
    }
  } catch (err) {
    io.err(`bench:lab: ${(err as Error).stack ?? String(err)}\n`)
    code = 1
  } finally {
    if (!c.keep) {
      await l.target.infrastructure.destroy(l.stack, { confirm: true }).catch((err: unknown) => io.err(`down failed: ${String(err)}\n`))
      const td = await l.target.lab.checkTeardown()
      if (!td.ok) io.err(`bench:lab: the teardown left ${td.leftovers.join(', ')}\n`)
    }
  }
  if (rows.length > 0) {
    io.out(`\n${new Date().toISOString().slice(0, 10)}, \`npm run bench:lab${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}\`, ${minutes()}; ${c.runs} run(s), ${c.rate} upserts/s per client, median [min–max]\n\n${table(rows)}\n`)
    if (deaths.length > 0) io.out(`\nThe worker process died in ${deaths.length} round(s), each run again: ${deaths.join('; ')}\n`)
  }
  return interrupted !== undefined ? 130 : code
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    io.err(`bench:lab: ${(err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  },
)
