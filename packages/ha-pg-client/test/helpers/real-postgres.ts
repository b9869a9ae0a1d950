import { execFile, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)
/** Debian's PostgreSQL 15, installed by scripts/ensure-system-packages.sh (npm test's pretest). */
const PG_BIN = '/usr/lib/postgresql/15/bin'

/** One throwaway PostgreSQL server: loopback only, a port of its own, trust auth, stopped by its PID. */
export interface RealPostgres {
  readonly port: number
  readonly connectionString: string
  stop(): Promise<void>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })

/** Starts PostgreSQL as the `postgres` OS user (we are root) in a temporary directory. */
export async function startPostgres(): Promise<RealPostgres> {
  if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`${PG_BIN}/initdb is missing: run scripts/ensure-system-packages.sh at the repository root`)
  const dir = mkdtempSync(join(tmpdir(), 'hapg-real-'))
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim())
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim())
  chownSync(dir, uid, gid)
  const asPostgres = ['--reuid=postgres', '--regid=postgres', '--init-groups', 'env', '-i', `PATH=${PG_BIN}:/usr/bin:/bin`, `HOME=${dir}`]
  const data = join(dir, 'data')
  await run('setpriv', [...asPostgres, 'initdb', '-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '--no-instructions'], { cwd: dir })
  const port = await freePort()
  const settings = { listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: dir, fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '50', shared_buffers: '16MB' }
  const args = Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])
  const child = spawn('setpriv', [...asPostgres, 'postgres', '-D', data, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4_000)))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const connectionString = `postgres://postgres@127.0.0.1:${port}/postgres`
  for (let i = 0; ; i++) {
    const probe = new pg.Client({ connectionString })
    try {
      await probe.connect()
      await probe.end()
      break
    } catch (err) {
      await probe.end().catch(() => undefined)
      if (i > 300 || child.exitCode !== null) {
        child.kill('SIGKILL')
        rmSync(dir, { recursive: true, force: true })
        throw new Error(`PostgreSQL did not start: ${log}`, { cause: err })
      }
      await sleep(100)
    }
  }
  return {
    port,
    connectionString,
    stop: async () => {
      // setpriv execs postgres, so this PID is the postmaster's: SIGINT is its "fast" shutdown.
      if (child.exitCode === null) child.kill('SIGINT')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
