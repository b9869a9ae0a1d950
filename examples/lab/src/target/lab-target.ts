import { readFile } from 'node:fs/promises'
import { openSsh, ProvisionerError, type ApplyReport, type Machine, type Plan, type PlanItem, type SshSession, type SshSessionFactory, type Stack, type Target } from '@birthday-ha/provisioner'
import type { Lab, LabMachine } from '../lab.js'
import { configureEdge, EDGE_PATHS, type EdgeReport } from './edge-haproxy.js'
import { haproxyLoadBalancer, syncFailOpen } from './haproxy-load-balancer.js'
import { sshRuntimeApi } from './haproxy-runtime.js'
import { fileSecretStore } from './secret-store.js'

/** The lab's stand-in for the target group's health check: ELBv2's 10 s interval scaled to 1 s, so a lab deploy takes seconds. */
export const LAB_HEALTH_CHECK = { path: '/readyz', intervalMs: 1_000, healthyThreshold: 2, unhealthyThreshold: 2, timeoutMs: 2_000 } as const

/** Options of {@link labTarget}. */
export interface LabTargetOptions {
  readonly lab: Lab
  readonly log?: (line: string) => void
  /** Longest wait for a host to become healthy behind the load balancer (default 120 s). */
  readonly maxWaitMs?: number
}

/** The lab's {@link Target}, plus what the lab CLI needs. */
export interface LabTarget extends Target {
  readonly lab: Lab
  /** What the last `apply` did to the edge's haproxy. */
  readonly lastEdge: EdgeReport | undefined
  /** Close the target's own SSH session to the edge (idempotent). */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

const stackRole = (m: LabMachine): m is LabMachine & { role: Machine['role'] } => m.role !== 'edge'

/** Where the machines are, or which must be created (booted) or started. */
function hostItem(m: LabMachine): PlanItem {
  const key = `lab/host/${m.name}`
  if (m.state === 'missing') return { action: 'create', key, kind: 'instance', region: 'lab', notes: [], changes: [`${m.role} ${m.ip}: a Debian 13 host (systemd-nspawn)`] }
  if (m.state === 'running') return { action: 'keep', key, kind: 'instance', region: 'lab', id: m.name, notes: [], changes: [] }
  return { action: 'update', key, kind: 'instance', region: 'lab', id: m.name, notes: [], changes: [`${m.state}: boot it`] }
}

/**
 * The lab as a {@link Target}: machines and networks are the lab harness's
 * real hosts (`openLab`), the load balancer is haproxy on the edge host
 * driven like ELBv2, secrets are 0600 files in the lab's state directory,
 * and sessions are SSH through the bastion's public address, from this
 * machine, as an operator reaches AWS.
 *
 * @example
 * ```ts
 * await using target = labTarget({ lab: openLab({ stack }) })
 * await target.infrastructure.apply(stack)
 * await configureHosts(stack, { sessions: await target.sessions({ privateKey, username: 'admin' }), secrets: await target.secrets.ensure(stack) })
 * ```
 */
export function labTarget(o: LabTargetOptions): LabTarget {
  const { lab } = o
  const edge = lab.host('edge')
  const published = (host: string) => lab.plan.published.find((p) => p.host === host)
  let lastEdge: EdgeReport | undefined
  let edgeSession: Promise<SshSession> | undefined

  /* c8 ignore start */ // real SSH through the bastion: exercised by `npm run lab` and `npm run test:lab`
  const factory = async (privateKey: string, username: string): Promise<SshSessionFactory> => {
    const bastion = published('bastion')!.publicIp
    return async ({ host }) => await openSsh({ host, username, privateKey, sudo: true, readyTimeoutMs: 15_000, jump: { host: bastion, username, privateKey, readyTimeoutMs: 15_000 } })
  }
  const ownFactory = async (): Promise<SshSessionFactory> => {
    const access = await lab.ssh()
    return await factory(await readFile(access.privateKeyPath, 'utf8'), access.user)
  }
  const edgeSsh = async (o?: { readonly reopen: boolean }): Promise<SshSession> => {
    if (o?.reopen === true) await close()
    edgeSession ??= ownFactory().then((f) => f({ host: edge.ip, name: edge.name }))
    edgeSession.catch(() => (edgeSession = undefined))
    return await edgeSession
  }
  /* c8 ignore stop */
  const api = sshRuntimeApi(edgeSsh, EDGE_PATHS.adminSocket)
  /* c8 ignore next */ // called by the load balancer's health(), which talks to the edge over real SSH (test:lab)
  const appHosts = (_stack: Stack): string[] => lab.plan.hosts.filter((h) => h.role === 'app').map((h) => h.name)
  const url = async (stack: Stack): Promise<string> => `http://${published('edge')!.publicIp}:${stack.alb.listenerPort}`

  const close = async (): Promise<void> => {
    const s = edgeSession
    edgeSession = undefined
    // A session that never opened has nothing to close.
    /* c8 ignore next */ // a session exists only after real SSH (test:lab)
    await (await s?.then((x) => x, () => undefined))?.close()
  }
  return {
    kind: 'lab',
    lab,
    get lastEdge() {
      return lastEdge
    },
    infrastructure: {
      async plan(stack) {
        const items = (await lab.machines()).map(hostItem)
        const summary = { create: 0, update: 0, replace: 0, keep: 0, delete: 0 }
        for (const i of items) summary[i.action]++
        return { stack: stack.name, regions: { primary: 'lab', dr: 'lab' }, items, summary } satisfies Plan
      },
      /* c8 ignore start */ // boots real hosts and configures the edge over SSH: exercised by `npm run lab -- up` and `npm run test:lab`
      async apply(stack, a) {
        const before = new Map((await lab.machines()).map((m) => [m.name, m.state]))
        a?.onProgress?.({ event: 'apply', detail: 'hosts and networks' })
        await lab.up()
        a?.onProgress?.({ event: 'apply', detail: 'load balancer (haproxy on the edge host)' })
        const s = await edgeSsh()
        const servers = lab.plan.hosts.filter((h) => h.role === 'app').map((h) => ({ name: h.name, ip: h.ip, port: stack.app.port }))
        lastEdge = await configureEdge(s, { bind: `*:${stack.alb.listenerPort}`, servers, health: LAB_HEALTH_CHECK, idleTimeoutSeconds: 60 })
        const synced = await syncFailOpen(api)
        if (synced.length > 0) o.log?.(`edge haproxy: fail-open twins registered like their servers: ${synced.join(', ')}`)
        // Do not keep the edge's session idle through the host configuration: an idle SSH connection reset by the
        // peer crashed test:lab (an 'error' event of node-ssh's client with no listener). The load balancer reopens it.
        await close()
        o.log?.(`edge haproxy: ${lastEdge.installed ? 'installed, ' : ''}config ${lastEdge.written ? 'written' : 'unchanged'}, ${lastEdge.unit}`)
        const created: string[] = []
        const updated: string[] = []
        const kept: string[] = []
        for (const [name, state] of before) (state === 'missing' ? created : state === 'running' ? kept : updated).push(`lab/host/${name}`)
        ;(lastEdge.written || lastEdge.installed ? updated : kept).push('lab/load-balancer/edge')
        return { created, updated, replaced: [], kept, deleted: [] } satisfies ApplyReport
      },
      /* c8 ignore stop */
      async destroy(stack, d) {
        if (!d.confirm) throw new ProvisionerError('PROV_NOT_CONFIRMED', `destroying the lab of ${stack.name} needs confirm`)
        await close()
        const names = (await lab.machines()).filter((m) => m.state !== 'missing').map((m) => m.name)
        await lab.down()
        return names
      },
      async machines() {
        return (await lab.machines()).filter(stackRole).map((m) => ({
          name: m.name,
          role: m.role,
          ip: m.ip,
          id: `${lab.layout.id.name}/${m.name}`,
          // A frozen host is like a hung EC2 instance: still `running` for the API.
          state: m.state === 'missing' ? 'missing' : m.state === 'stopped' ? 'stopped' : 'running',
        }))
      },
    },
    loadBalancer: haproxyLoadBalancer({ api, hosts: appHosts, url, ...(o.maxWaitMs === undefined ? {} : { maxWaitMs: o.maxWaitMs }) }),
    secrets: fileSecretStore({ stateDir: lab.layout.stateDir }),
    /* c8 ignore next */ // real SSH: exercised by `npm run lab` and `npm run test:lab`
    sessions: async ({ privateKey, username }) => await factory(privateKey, username),
    close,
    [Symbol.asyncDispose]: close,
  }
}
