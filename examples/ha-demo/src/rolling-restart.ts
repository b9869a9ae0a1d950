import { startAppInstance, stopAppInstance } from './app-instance.js'
import { BACKENDS } from './haproxy-config.js'
import { setServerState, showServers } from './haproxy-runtime.js'
import type { Topology } from './topology.js'
import { waitUntil } from './wait-until.js'

const BOTH = [BACKENDS.ready, BACKENDS.failOpen] as const

/**
 * Restarts every app instance, one at a time, the way the provisioner's `deploy` does on AWS:
 * drain it in the balancer (runtime API `set server … state drain`), wait until it holds no
 * session, put it in maintenance, SIGTERM it (the service drains and exits 0), start the new
 * process, wait for its `/readyz`, set it `ready` and wait until haproxy sees it UP; then the next.
 *
 * @example
 * ```ts
 * await rollingRestart(topology, console.log)
 * ```
 */
export async function rollingRestart(topology: Topology, log: (line: string) => void): Promise<void> {
  const socket = topology.haproxy.socketPath
  for (let i = 0; i < topology.state.apps.length; i++) {
    const old = topology.state.apps[i] as (typeof topology.state.apps)[number]
    const name = old.spec.name
    for (const backend of BOTH) await setServerState(socket, backend, name, 'drain')
    await waitUntil(`${name} to have no sessions left in haproxy`, async () =>
      (await showServers(socket)).filter((s) => s.server === name).every((s) => s.sessions === 0), { timeoutMs: 30_000, intervalMs: 100 })
    for (const backend of BOTH) await setServerState(socket, backend, name, 'maint')
    log(`${name}: drained in haproxy, sending SIGTERM to pid ${old.record.pid}`)
    await stopAppInstance(old)
    const fresh = await startAppInstance(old.spec)
    topology.state.apps[i] = fresh
    await topology.save()
    for (const backend of BOTH) await setServerState(socket, backend, name, 'ready')
    await waitUntil(`haproxy to see ${name} UP`, async () =>
      (await showServers(socket)).some((s) => s.backend === BACKENDS.ready && s.server === name && s.status.startsWith('UP')),
    { timeoutMs: 30_000, intervalMs: 100 })
    log(`${name}: restarted (pid ${fresh.record.pid}), ready and back in haproxy`)
  }
}
