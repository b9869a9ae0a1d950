import { ProvisionerError, type Stack } from '@birthday-ha/provisioner'
import type { LoadBalancer } from '@birthday-ha/provisioner'
import { failOpenName, HAPROXY_BACKEND } from './haproxy-config.js'
import { draining, inMaintenance, readServers, runQuiet, targetHealth, type RuntimeApi, type ServerState } from './haproxy-runtime.js'

/** Options of {@link haproxyLoadBalancer}. */
export interface HaproxyLoadBalancerOptions {
  readonly api: RuntimeApi
  /** The app host names of the stack (`app1`…): the servers of the backend. */
  readonly hosts: (stack: Stack) => readonly string[]
  /** The listener's URL, once the edge exists. */
  readonly url: (stack: Stack) => Promise<string | undefined>
  readonly backend?: string
  readonly now?: () => number
  readonly sleep?: (ms: number) => Promise<void>
  /** Poll interval of the waiters (default 250 ms; ELBv2's waiters poll every 15 s). */
  readonly pollMs?: number
  /** Longest wait for a host to become healthy (default 120 s). */
  readonly maxWaitMs?: number
}

// Not unref'd: a deploy waiting on the load balancer is the process's foreground work.
const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * The lab's load balancer: haproxy on the edge host, driven through its
 * runtime API with ELBv2's semantics.
 * - `deregister`: the host gets no new request (`drain`); it resolves once
 *   it has no request in flight or the target group's deregistration delay
 *   is over, whichever is first, as ELBv2 does; requests still open then are
 *   cut (`shutdown sessions`), and the host is `unused` (`maint`).
 * - `register`: the host's health is reset to down while it takes no
 *   traffic (`drain` + `health down`), so it gets requests only after
 *   `healthyThreshold` fresh checks of `/readyz` passed (ELBv2's `initial`);
 *   then it is made `ready` and resolves once it is `healthy`, like
 *   `waitUntilTargetInService`. A host that does not pass in `maxWaitMs`
 *   stays out and `PROV_HOST_UNHEALTHY` is thrown.
 *
 * @example
 * ```ts
 * const lb = haproxyLoadBalancer({ api: socketRuntimeApi('/run/haproxy/admin.sock'), hosts: () => ['app1', 'app2'], url: async () => 'http://10.10.0.5' })
 * await lb.deregister(stack, 'app1')
 * ```
 */
export function haproxyLoadBalancer(o: HaproxyLoadBalancerOptions): LoadBalancer {
  const backend = o.backend ?? HAPROXY_BACKEND
  const now = o.now ?? Date.now
  const sleep = o.sleep ?? defaultSleep
  const pollMs = o.pollMs ?? 250
  const maxWaitMs = o.maxWaitMs ?? 120_000
  /** The checked server, with the requests in flight on it and on its fail-open twin. */
  const server = async (host: string): Promise<ServerState> => {
    const all = await readServers(o.api, backend)
    const s = all.find((x) => x.name === host)
    if (s === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', `load balancer: ${host} is not a server of backend ${backend}`, { details: { host } })
    return { ...s, sessions: s.sessions + (all.find((x) => x.name === failOpenName(host))?.sessions ?? 0) }
  }
  const set = (host: string, what: string): Promise<void> => runQuiet(o.api, `set server ${backend}/${host} ${what}`)
  /** Admin state of the server and its fail-open twin together. */
  const setBoth = async (host: string, state: 'drain' | 'maint' | 'ready'): Promise<void> => {
    await set(host, `state ${state}`)
    await set(failOpenName(host), `state ${state}`)
  }
  /** Poll until `done` holds; false when `limitMs` passed first. */
  const until = async (host: string, limitMs: number, done: (s: ServerState) => boolean): Promise<boolean> => {
    const start = now()
    for (;;) {
      if (done(await server(host))) return true
      if (now() - start >= limitMs) return false
      await sleep(pollMs)
    }
  }
  return {
    async deregister(stack, host) {
      const s = await server(host)
      if (inMaintenance(s)) return
      await setBoth(host, 'drain')
      const delayMs = stack.alb.deregistrationDelaySeconds * 1000
      const idle = await until(host, delayMs, (x) => x.sessions === 0)
      if (!idle) {
        await runQuiet(o.api, `shutdown sessions server ${backend}/${host}`)
        await runQuiet(o.api, `shutdown sessions server ${backend}/${failOpenName(host)}`)
      }
      await setBoth(host, 'maint')
    },
    async register(_stack, host) {
      const s = await server(host)
      if (inMaintenance(s) || draining(s)) {
        await set(host, 'state drain')
        await set(host, 'health down')
        const passed = await until(host, maxWaitMs, (x) => x.op === 2)
        if (!passed) {
          await setBoth(host, 'maint')
          throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${host} did not pass the load balancer's health check in ${maxWaitMs} ms`, { details: { host } })
        }
        await setBoth(host, 'ready')
      }
      if (!(await until(host, maxWaitMs, (x) => targetHealth(x) === 'healthy'))) {
        throw new ProvisionerError('PROV_HOST_UNHEALTHY', `${host} is registered but not healthy after ${maxWaitMs} ms`, { details: { host } })
      }
    },
    async health(stack) {
      const byName = new Map((await readServers(o.api, backend)).map((x) => [x.name, x]))
      return new Map(o.hosts(stack).map((h) => {
        const x = byName.get(h)
        return [h, x === undefined ? 'unused' : targetHealth(x)]
      }))
    },
    url: (stack) => o.url(stack),
  }
}

/**
 * Give every fail-open twin its server's registration (after a reload added twins that the saved
 * state did not know: they start unregistered). Returns the twins it changed.
 */
export async function syncFailOpen(api: RuntimeApi, backend = HAPROXY_BACKEND): Promise<string[]> {
  const all = await readServers(api, backend)
  const byName = new Map(all.map((x) => [x.name, x]))
  const changed: string[] = []
  for (const s of all) {
    const twin = byName.get(failOpenName(s.name))
    if (twin === undefined) continue
    const want = inMaintenance(s) ? 'maint' : draining(s) ? 'drain' : 'ready'
    const has = inMaintenance(twin) ? 'maint' : draining(twin) ? 'drain' : 'ready'
    if (want === has) continue
    await runQuiet(api, `set server ${backend}/${twin.name} state ${want}`)
    changed.push(twin.name)
  }
  return changed
}
