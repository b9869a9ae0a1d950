import { readFile, readdir, stat } from 'node:fs/promises'
import { mountsUnder } from '../hosts/disk.js'
import type { LabLayout } from '../layout.js'
import type { NetworkPlan } from '../network/network-plan.js'
import { netnsNames } from '../network/network.js'
import type { Runner } from '../runner.js'

/** What {@link checkTeardown} found. `ok` means nothing of the lab is left and the guard routes are in place. */
export interface TeardownReport {
  readonly ok: boolean
  readonly leftovers: readonly string[]
}

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false)

/**
 * Every process whose `/proc/<pid>/cgroup` names one of the lab's cgroups,
 * as `<pid> (<comm>)`. A killed host's systemd is reparented to the
 * machine's PID 1 and stays a zombie until that reaps it.
 */
export async function labProcesses(layout: LabLayout): Promise<string[]> {
  const needle = `/birthday-ha-lab/${layout.id.name}/`
  const found: string[] = []
  for (const pid of await readdir('/proc').then((l) => l.filter((p) => /^\d+$/.test(p)))) {
    const cg = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '')
    if (cg.includes(needle)) found.push(`${pid} (${(await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim()})`)
  }
  return found
}

/** Wait (up to `timeoutMs`) until no process of the lab is left, zombies included. */
export async function waitNoLabProcesses(layout: LabLayout, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while ((await labProcesses(layout)).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100))
}

/**
 * Check that nothing of the lab is left: no process in a lab cgroup (and
 * no process whose `/proc/<pid>/cgroup` names one), no cgroup directory,
 * no mount under the lab's state dir, no namespace, no root-side link or
 * route of the lab range, and that the `unreachable` guard routes for the
 * stack's ranges are still in the root namespace.
 */
export async function checkTeardown(plan: NetworkPlan, layout: LabLayout, runner: Runner): Promise<TeardownReport> {
  const left: string[] = []
  const roots = layout.cgroupRoots
  for (const dir of [roots.unified, roots.systemd, roots.memory]) if (await exists(dir)) left.push(`cgroup ${dir}`)
  for (const p of await labProcesses(layout)) left.push(`process ${p}`)
  for (const m of await mountsUnder(layout.stateDir)) left.push(`mount ${m}`)
  for (const n of netnsNames((await runner.run(['ip', 'netns', 'list'])).stdout)) if (n.startsWith(layout.nsPrefix)) left.push(`namespace ${n}`)
  const links = JSON.parse((await runner.run(['ip', '-j', 'link', 'show'])).stdout) as { ifname: string }[]
  if (links.some((l) => l.ifname === plan.uplink.a.dev)) left.push(`link ${plan.uplink.a.dev}`)
  const routes = JSON.parse((await runner.run(['ip', '-j', 'route', 'show'])).stdout) as { dst: string; type?: string; dev?: string }[]
  const lab = `198.18.${layout.id.slot}.`
  for (const r of routes) if (r.dst.startsWith(lab) || r.dev === plan.uplink.a.dev) left.push(`route ${r.dst}`)
  for (const g of plan.guardRoutes) {
    if (!routes.some((r) => r.dst === g && r.type === 'unreachable')) left.push(`missing guard route unreachable ${g}`)
  }
  return { ok: left.length === 0, leftovers: left }
}
