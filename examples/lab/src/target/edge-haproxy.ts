import type { SshSession } from '@birthday-ha/provisioner'
import { renderHaproxyConfig, type HaproxyConfigOptions } from './haproxy-config.js'
import { SOCKET_CLIENT } from './haproxy-runtime.js'

/** Where haproxy's files live on the edge host (Debian's package layout). */
export const EDGE_PATHS = {
  config: '/etc/haproxy/haproxy.cfg',
  adminSocket: '/run/haproxy/admin.sock',
  stateFile: '/var/lib/haproxy/server-state',
} as const

/** What {@link configureEdge} did. */
export interface EdgeReport {
  readonly installed: boolean
  readonly written: boolean
  /** `reloaded`: new config with the registrations kept; `started`: haproxy was not running. */
  readonly unit: 'unchanged' | 'reloaded' | 'started'
}

/** Install haproxy from Debian (through the lab's apt proxy) unless present; prints `installed` when it did. */
export const EDGE_INSTALL = [
  'set -eu',
  'if ! command -v haproxy >/dev/null 2>&1; then',
  '  export DEBIAN_FRONTEND=noninteractive',
  '  apt-get update -qq',
  '  apt-get install -y -qq haproxy >/dev/null',
  '  echo installed',
  'fi',
].join('\n')

/**
 * Converge the edge host's haproxy, the lab's ALB: install it, write its
 * config only when it differs, and then reload it keeping every server's
 * registration (the runtime states are saved to the state file first, and
 * read back by the new process). Nothing is restarted when nothing changed.
 */
/* c8 ignore start */ // runs apt-get and systemctl on the edge host: exercised by `npm run lab -- up` and `npm run test:lab`; the state-keeping reload is unit-tested
export async function configureEdge(s: SshSession, o: Omit<HaproxyConfigOptions, 'adminSocket' | 'stateFile'>): Promise<EdgeReport> {
  const installed = (await s.run(EDGE_INSTALL)).stdout.includes('installed')
  const config = renderHaproxyConfig({ ...o, adminSocket: EDGE_PATHS.adminSocket, stateFile: EDGE_PATHS.stateFile })
  const active = async (): Promise<boolean> => (await s.run('systemctl is-active haproxy || true')).stdout.trim() === 'active'
  const wasActive = !installed && (await active())
  // Save the registrations while the old config still runs (an absent socket leaves an empty state: all unused).
  if (wasActive) await s.run(`echo 'show servers state' | python3 -c '${SOCKET_CLIENT}' ${EDGE_PATHS.adminSocket} > ${EDGE_PATHS.stateFile}.new || true`)
  const written = await s.writeFile(EDGE_PATHS.config, config, { mode: 0o644, owner: 'root:root' })
  if (written && wasActive) {
    await s.run(`mv -f ${EDGE_PATHS.stateFile}.new ${EDGE_PATHS.stateFile} && systemctl reload haproxy`)
    return { installed, written, unit: 'reloaded' }
  }
  await s.run(`rm -f ${EDGE_PATHS.stateFile}.new`)
  if (wasActive) return { installed, written, unit: 'unchanged' }
  await s.run('systemctl enable haproxy >/dev/null 2>&1; systemctl restart haproxy')
  return { installed, written, unit: 'started' }
}
/* c8 ignore stop */
