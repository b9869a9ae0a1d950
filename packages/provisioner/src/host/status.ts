import type { EngineDeps } from '../targets/aws/clients.js'
import { EngineContext } from '../targets/aws/engine/context.js'
import { discoverInto } from '../targets/aws/engine/plan.js'
import { desiredResources } from '../targets/aws/plan/desired.js'
import type { SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import { stackHosts } from './host-plan.js'

/** One host's role and health. */
export interface HostStatus {
  readonly name: string
  readonly role: string
  readonly ip: string
  readonly instanceId?: string
  /** Patroni's role and state (DB hosts), e.g. `leader/running`, or `unreachable`. */
  readonly patroni?: string
  /** ALB target health (app hosts). */
  readonly target?: string
}

/** Read each host's role and health from Patroni's REST API (over SSH) and the ALB's target health. */
export async function stackStatus(stack: Stack, deps: EngineDeps, sessions: SshSessionFactory): Promise<readonly HostStatus[]> {
  const ctx = new EngineContext(stack, deps)
  await discoverInto(ctx, desiredResources(stack))
  const tg = ctx.actual.get('primary/tg/app')
  // Discovery already read the target group's health.
  const health = new Map(((tg?.facts['targets'] ?? []) as { id: string; state: string }[]).map((x) => [x.id, x.state]))
  const out: HostStatus[] = []
  for (const h of stackHosts(stack)) {
    const instanceId = ctx.actual.get(h.key)?.id
    const base = { name: h.name, role: h.role, ip: h.ip, ...(instanceId === undefined ? {} : { instanceId }) }
    if (h.role === 'app') {
      out.push({ ...base, target: instanceId === undefined ? 'missing' : (health.get(instanceId) ?? 'unregistered') })
      continue
    }
    let patroni = 'unreachable'
    if (instanceId !== undefined) {
      try {
        const s = await sessions({ host: h.ip, name: h.name })
        try {
          const j = JSON.parse((await s.run(`curl -s -m 3 http://${h.ip}:8008/patroni`)).stdout) as { role?: string; state?: string }
          patroni = `${j.role}/${j.state}`
        } finally {
          await s.close()
        }
      } catch {
        patroni = 'unreachable'
      }
    }
    out.push({ ...base, patroni })
  }
  return out
}
