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
import { BENCH_USAGE, parseBenchArgs } from './bench-args.js'
import { up } from './lab-commands.js'
import type { CliIo } from './lab-cli.js'
import { openLabSession } from './lab-session.js'

const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }
const t0 = performance.now()
const minutes = (): string => `${((performance.now() - t0) / 60_000).toFixed(1)} min`
const log = (line: string): void => void io.err(`[${minutes()}] ${line}\n`)

/** Runs the worker in `ns` with `input` on its stdin; resolves with its rows. */
async function runWorker(ns: string, input: WorkerInput): Promise<Row[]> {
  const worker = fileURLToPath(new URL('../bench/worker.js', import.meta.url))
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, worker], { stdio: ['pipe', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stdin.end(JSON.stringify(input))
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (c) => resolve(c ?? 1))
  })
  if (code !== 0) throw new Error(`the bench worker exited with ${code}`)
  return decodeRows(out.trim().split('\n').at(-1) ?? '')
}

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
  let rows: Row[] = []
  let code = 0
  try {
    await up(l, { out: io.err, err: io.err })
    const hosts = l.target.lab.plan.hosts
    const app = hosts.find((h) => h.role === 'app') ?? hosts[0]
    if (app === undefined) throw new Error('the lab has no hosts')
    const secrets = await l.target.secrets.read(l.stack)
    log(`${c.runs} run(s) of a partition and a blackhole of the leader, the writers in ${app.name}'s network namespace`)
    rows = await runWorker(app.ns, {
      runs: c.runs, rate: c.rate, ...(c.opsDir === undefined ? {} : { opsDir: c.opsDir }), hosts: [...hosts],
      db: hosts.filter((h) => h.role === 'db').map((h) => h.name),
      creds: { user: l.stack.database.appUser, password: secrets['app-password'], database: l.stack.database.name },
      haproxyPort: 26_640,
    })
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
  }
  return code
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    io.err(`bench:lab: ${(err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  },
)
