import { readFileSync } from 'node:fs'
import { LocalClusterError } from './errors.js'
import { parseCliArgs, USAGE } from './cli-args.js'
import { openCluster, startCluster } from './start-cluster.js'
import { formatStatusTable } from './status-table.js'
import type { ClusterOptions } from './layout.js'

/** Where the CLI writes: results to `out`, progress and errors to `err`. */
export interface CliIo {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

const shellQuote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCliArgs(argv)
  if (!parsed.ok) {
    io.err(`error: ${parsed.error}\n${USAGE}`)
    return 2
  }
  const cmd = parsed.value
  if (cmd.command === 'help') {
    io.out(USAGE)
    return 0
  }
  if (cmd.command === 'version') {
    io.out((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version)
    return 0
  }
  const options: ClusterOptions = { ...cmd.options, log: (line) => io.err(line) }
  if (cmd.command === 'up') {
    const cluster = await startCluster(options)
    const leader = await cluster.leader()
    io.out(`cluster ${cluster.name} is up; leader ${leader.name} on ${leader.host}:${leader.pgPort}`)
    io.out(`Patroni REST: ${cluster.patroniUrls.join(' ')}`)
    io.out('next: npm run cluster -- status | env | kill-leader | switchover | down')
    return 0
  }
  if (cmd.command === 'down') {
    const cluster = await openCluster(options).catch((err: unknown) => {
      if (err instanceof LocalClusterError && err.code === 'LC_NO_STATE') return undefined
      throw err
    })
    if (cluster !== undefined) await cluster.close({ removeData: true })
    io.out(cluster === undefined ? 'no cluster to stop' : `cluster ${cluster.name} stopped and its data dir removed`)
    return 0
  }
  const cluster = await openCluster(options)
  switch (cmd.command) {
    case 'status':
      io.out(formatStatusTable(await cluster.status()))
      break
    case 'env':
      for (const [key, value] of Object.entries(cluster.env())) io.out(`export ${key}=${shellQuote(value)}`)
      break
    case 'kill-leader': {
      const { name, at } = await cluster.killLeader()
      io.out(`killed leader ${name} at ${new Date(at).toISOString()}`)
      break
    }
    case 'hang-leader': {
      const { name, at } = await cluster.hangLeader()
      io.out(`froze Patroni of leader ${name} at ${new Date(at).toISOString()}; end it with: npm run cluster -- resume`)
      break
    }
    case 'resume':
      io.out(`resumed: [${(await cluster.resumeAll()).join(', ')}]`)
      break
    case 'switchover': {
      const { from, to } = await cluster.switchover(cmd.candidate)
      io.out(`switched over from ${from} to ${to}`)
      break
    }
    case 'kill-member':
      await cluster.killMember(cmd.member)
      io.out(`killed ${cmd.member}`)
      break
    case 'start-member':
      await cluster.startMember(cmd.member)
      io.out(`started ${cmd.member}; wait for it with: npm run cluster -- status`)
      break
    case 'reinit-member':
      await cluster.reinitMember(cmd.member)
      io.out(`reinitialized ${cmd.member}`)
      break
    case 'stop-etcd-member':
      await cluster.stopEtcdMember(cmd.index)
      io.out(`stopped etcd member ${cmd.index}`)
      break
    case 'start-etcd-member':
      await cluster.startEtcdMember(cmd.index)
      io.out(`started etcd member ${cmd.index}`)
      break
  }
  return 0
}

/**
 * Runs one CLI command and returns the exit code: 0 done, 1 failed (one-line message), 2 bad
 * usage or options. Never throws for expected failures.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io)
  } catch (err) {
    const code = err instanceof LocalClusterError ? err.code : 'ERROR'
    io.err(`error (${code}): ${(err as Error).message}`)
    return code === 'LC_BAD_OPTIONS' ? 2 : 1
  }
}
