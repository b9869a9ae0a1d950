import { readFile, writeFile, mkdir, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { daemonRunning, startDaemon, stopDaemon } from '../daemon.js'
import type { LabLayout } from '../layout.js'
import type { Runner } from '../runner.js'
import { batchSteps, createNetworkSteps, destroyNetworkSteps } from './network-commands.js'
import type { NetworkPlan } from './network-plan.js'
import { drRouterRules, primaryRouterRules } from './nft-rules.js'

/** The lab's networks: namespaces, bridges, links, routers, filters and the peering's delay line. */
export interface Network {
  /** Build what is missing: all of it, or nothing if it is complete. */
  ensure(): Promise<void>
  /** Set the peering link's one-way delay, in milliseconds, each direction. */
  setDelay(ms: number): Promise<void>
  delay(): Promise<number>
  /** Delete every namespace of the plan (the guard routes stay). */
  destroy(): Promise<void>
  /** The namespaces of the plan that exist now. */
  existingNamespaces(): Promise<string[]>
}

const DELAY_LINE = fileURLToPath(new URL('../../scripts/delay-line.py', import.meta.url))

/** Names in `ip netns list` output (`name` or `name (id: 3)` per line; nothing when there are none). */
export const netnsNames = (out: string): string[] => out.split('\n').map((l) => l.split(' ')[0] as string).filter((n) => n !== '')

/** The network of `plan`. */
export function network(plan: NetworkPlan, layout: LabLayout, runner: Runner): Network {
  const marker = `${layout.runDir}/network.done`
  const delayFile = `${layout.runDir}/peering-delay-ms`
  const delayCg = layout.cgroups('delay-line')
  const namespaces = [plan.primary.ns, plan.dr.ns, plan.peeringNs, ...plan.hosts.map((h) => h.ns)]
  const existingNamespaces = async (): Promise<string[]> => {
    const names = new Set(netnsNames((await runner.run(['ip', 'netns', 'list'])).stdout))
    return namespaces.filter((n) => names.has(n))
  }
  const startDelayLine = async (): Promise<void> => {
    if (await daemonRunning(delayCg)) return
    await startDaemon({
      cmd: ['ip', 'netns', 'exec', plan.peeringNs, '/usr/bin/python3', DELAY_LINE, delayFile, ...plan.delayTuns],
      cgroups: delayCg,
      pidFile: `${layout.runDir}/delay-line.pid`,
      logFile: `${layout.runDir}/delay-line.log`,
    })
  }
  const delay = async (): Promise<number> => Number((await readFile(delayFile, 'utf8').catch(() => '0')).trim())
  return {
    async ensure() {
      await mkdir(layout.runDir, { recursive: true })
      const complete = await readFile(marker, 'utf8').then(() => true, () => false)
      if (!complete || (await existingNamespaces()).length !== namespaces.length) {
        await stopDelayLine()
        for (const s of destroyNetworkSteps(await existingNamespaces())) await runner.run(s.cmd)
        const steps = batchSteps(createNetworkSteps(plan, { primary: primaryRouterRules(plan), dr: drRouterRules(plan) }))
        for (const s of steps) await runner.run(s.cmd, s.input === undefined ? {} : { input: s.input })
        await writeFile(delayFile, `${await delay()}\n`)
        await writeFile(marker, new Date().toISOString() + '\n')
      }
      await startDelayLine()
    },
    async setDelay(ms) {
      await writeFile(delayFile, `${ms}\n`)
      const pid = Number((await readFile(`${layout.runDir}/delay-line.pid`, 'utf8').catch(() => '0')).trim())
      if (pid > 0 && (await daemonRunning(delayCg))) process.kill(pid, 'SIGHUP')
    },
    delay,
    async destroy() {
      await stopDelayLine()
      for (const s of destroyNetworkSteps(await existingNamespaces())) await runner.run(s.cmd)
      await rm(marker, { force: true })
      await rm(delayFile, { force: true })
    },
    existingNamespaces,
  }
  async function stopDelayLine(): Promise<void> {
    await stopDaemon(delayCg)
  }
}
