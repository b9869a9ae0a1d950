import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { startDaemon, stopDaemon, daemonRunning } from '../daemon.js'
import { LabError } from '../lab-error.js'
import type { LabLayout } from '../layout.js'
import { acngConfig } from './acng-config.js'

/** The apt proxy of one lab: apt-cacher-ng on the root side of the lab link. */
export interface AptProxy {
  readonly url: string
  /** Start it unless it runs; resolves once it answers. */
  ensure(): Promise<void>
  stop(): Promise<void>
}

/** The lab's apt proxy, listening on `ip:port` (the root end of the lab link). */
export function aptProxy(layout: LabLayout, ip: string, port: number, o: { readonly fetch?: typeof fetch; readonly program?: string; readonly attempts?: number } = {}): AptProxy {
  const dir = `${layout.runDir}/apt-proxy`
  const cgroups = layout.cgroups('apt-proxy')
  const url = `http://${ip}:${port}`
  const doFetch = o.fetch ?? fetch
  const answers = async (): Promise<boolean> =>
    doFetch(`${url}/acng-report.html`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false)
  return {
    url,
    async ensure() {
      const config = acngConfig({ cacheDir: layout.aptCacheDir, filesDir: layout.filesDir, logDir: `${dir}/log`, runDir: dir, bindAddress: ip, port })
      const same = (await readFile(`${dir}/acng.conf`, 'utf8').catch(() => '')) === config
      if (same && (await daemonRunning(cgroups)) && (await answers())) return
      await stopDaemon(cgroups)
      await mkdir(layout.aptCacheDir, { recursive: true })
      await mkdir(layout.filesDir, { recursive: true })
      await mkdir(`${dir}/log`, { recursive: true })
      await writeFile(`${dir}/acng.conf`, config)
      await startDaemon({ cmd: [o.program ?? '/usr/sbin/apt-cacher-ng', '-c', dir], cgroups, pidFile: `${dir}/daemon.pid`, logFile: `${dir}/daemon.log` })
      for (let i = 0; i < (o.attempts ?? 100); i++) {
        if (await answers()) return
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new LabError('LAB_PROXY_FAILED', `apt-cacher-ng does not answer on ${url}`, { details: { log: `${dir}/daemon.log` } })
    },
    stop: () => stopDaemon(cgroups),
  }
}
