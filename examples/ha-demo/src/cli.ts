#!/usr/bin/env node
/* c8 ignore start */ // the demo's command line: a thin shell over startTopology/attachTopology/rollingRestart, which the tests drive directly
// npm run demo:ha [-- up|down|status|roll] [--name hademo] [--port 8000] [--cluster-base-port 27000] [--app-base-port 8101] [--apps 2]
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { appInstanceAlive } from './app-instance.js'
import { HaDemoError } from './errors.js'
import { showServers } from './haproxy-runtime.js'
import { isAlive } from './process-record.js'
import { rollingRestart } from './rolling-restart.js'
import { attachTopology, startTopology } from './topology.js'

const USAGE = 'usage: npm run demo:ha -- [up|down|status|roll] [--name hademo] [--port 8000] [--cluster-base-port 27000] [--app-base-port 8101] [--apps 2] [--help] [--version]\n  up (the default) starts the demo'
function usageError(what: string): never {
  process.stderr.write(`demo:ha: ${what}\n${USAGE}\n`)
  process.exit(2)
}
let parsed
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string', default: 'hademo' },
      port: { type: 'string', default: process.env['HA_DEMO_PORT'] ?? '8000' },
      'cluster-base-port': { type: 'string', default: '27000' },
      'app-base-port': { type: 'string', default: '8101' },
      apps: { type: 'string', default: '2' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  })
} catch (err) {
  usageError((err as Error).message)
}
const { values, positionals } = parsed
const command = positionals[0] ?? 'up'
const out = (line: string): void => { process.stdout.write(`${line}\n`) }
const int = (name: string, raw: string): number => {
  if (!/^\d+$/.test(raw)) throw new HaDemoError('DEMO_BAD_OPTIONS', `--${name} must be an integer, got ${JSON.stringify(raw)}`)
  return Number(raw)
}

async function main(): Promise<number> {
  if (values.help === true) {
    out(USAGE)
    return 0
  }
  if (values.version === true) {
    out((JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version)
    return 0
  }
  if (!['up', 'down', 'status', 'roll'].includes(command)) usageError(`unknown command ${JSON.stringify(command)}`)
  if (positionals.length > 1) usageError(`${command} takes no arguments (got ${JSON.stringify(positionals.slice(1).join(' '))})`)
  const name = values.name
  if (command === 'up') {
    const topology = await startTopology({ name, clusterBasePort: int('cluster-base-port', values['cluster-base-port']),
      haproxyPort: int('port', values.port), appBasePort: int('app-base-port', values['app-base-port']), apps: int('apps', values.apps), etcdMembers: 3, log: out })
    out('')
    out(`API (haproxy):    ${topology.url}   e.g. curl -X PUT ${topology.url}/hello/alice -H 'content-type: application/json' -d '{"dateOfBirth":"1990-05-17"}'`)
    for (const app of topology.state.apps) out(`${app.spec.name}:             http://127.0.0.1:${app.spec.port}  (pid ${app.record.pid}, log ${app.spec.logFile})`)
    out(`haproxy:          pid ${topology.haproxy.record.pid}, runtime API ${topology.haproxy.socketPath}, log ${topology.haproxy.logFile}`)
    out(`Patroni REST:     ${topology.cluster.patroniUrls.join(' ')}`)
    out(`state:            ${topology.dir}/state.json`)
    out('stop with: npm run demo:ha -- down; rolling restart: npm run demo:ha -- roll; status: npm run demo:ha -- status')
    return 0
  }
  const topology = await attachTopology(name)
  if (command === 'down') {
    await topology.close()
    out(`stopped the demo ${name} (haproxy, ${topology.state.apps.length} instances, the Patroni cluster)`)
  } else if (command === 'roll') {
    await rollingRestart(topology, out)
  } else {
    out(`haproxy pid ${topology.haproxy.record.pid} ${(await isAlive(topology.haproxy.record)) ? 'running' : 'NOT RUNNING'} on ${topology.url}`)
    for (const app of topology.state.apps) {
      out(`${app.spec.name} pid ${app.record.pid} ${(await appInstanceAlive(app)) ? 'running' : 'NOT RUNNING'} on http://127.0.0.1:${app.spec.port}`)
    }
    const servers = await showServers(topology.haproxy.socketPath).catch(() => [])
    console.table(servers)
    console.table(await topology.cluster.status().catch((err: unknown) => [{ error: String(err) }]))
  }
  return 0
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`demo:ha: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
/* c8 ignore stop */
