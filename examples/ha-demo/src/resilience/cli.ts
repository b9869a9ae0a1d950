#!/usr/bin/env node
/* c8 ignore start */ // the full suite's entry point (npm run test:resilience, ~15 min); its parts are tested, its output is the README table
// SCENARIOS=1,2,...,7 (default all)  RATE=100 (req/s)  WARMUP_MS=5000  TAIL_MS=8000  APPS=2
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DATA_ROOT, startTopology } from '../topology.js'
import { formatTable, type ScenarioRow } from './report-table.js'
import { runScenario, type Scenario } from './run-scenario.js'
import {
  appKillScenario, etcdAndReplicaScenario, hangLeaderScenario, killLeaderScenario, repeatedKillScenario, rollingRestartScenario, switchoverScenario,
} from './scenarios.js'

{
  // --help and --version; the rest is configured by the environment variables above
  const args = process.argv.slice(2)
  const usage = 'usage: npm run test:resilience   (about 15 minutes: starts its own topology)\n  environment: SCENARIOS=1,2,...,7 (default all)  RATE=100 (req/s)  WARMUP_MS=5000  TAIL_MS=8000  APPS=2'
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`)
    process.exit(0)
  }
  if (args.includes('--version')) {
    const { readFileSync } = await import('node:fs')
    process.stdout.write(`${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`)
    process.exit(0)
  }
  if (args.length > 0) {
    process.stderr.write(`unknown argument ${JSON.stringify(args[0])}\n${usage}\n`)
    process.exit(2)
  }
}

const ALL = [rollingRestartScenario, switchoverScenario, killLeaderScenario, hangLeaderScenario, etcdAndReplicaScenario,
  appKillScenario, repeatedKillScenario] as Scenario<never>[]
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback)
const wanted = (process.env['SCENARIOS'] ?? '1,2,3,4,5,6,7').split(',').map(Number)
const log = (line: string): void => { process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${line}\n`) }

async function main(): Promise<number> {
  const started = new Date()
  const rate = env('RATE', 100)
  const topology = await startTopology({ name: 'hademo-resilience', clusterBasePort: 27600, haproxyPort: 27640, appBasePort: 27641,
    apps: env('APPS', 2), etcdMembers: 3, log })
  const rows: ScenarioRow[] = []
  try {
    for (const scenario of ALL.filter((s) => wanted.includes(s.id))) {
      rows.push(await runScenario(topology, scenario, { ratePerSecond: rate, warmupMs: env('WARMUP_MS', 5_000), tailMs: env('TAIL_MS', 8_000), log }))
    }
  } finally {
    await topology.close()
  }
  const header = [`Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC with \`npm run test:resilience\`` +
    ` (RATE=${rate} req/s, 1/3 PUT, ${env('APPS', 2)} instances, Patroni fast profile 10/1/4, synchronous_mode, 3 etcd):`, '']
  const text = [...header, formatTable(rows), ''].join('\n')
  process.stdout.write(`\n${text}`)
  await mkdir(DATA_ROOT, { recursive: true })
  const file = join(DATA_ROOT, `resilience-${started.toISOString().replaceAll(':', '-').slice(0, 19)}.md`)
  await writeFile(file, text)
  log(`table written to ${file}`)
  return rows.every((r) => r.met) ? 0 : 1
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`test:resilience: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
/* c8 ignore stop */
