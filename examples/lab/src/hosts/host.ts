import { readFile } from 'node:fs/promises'
import { freezeCgroups, frozen, killCgroups, memoryBytes, pidsOf, populated, removeCgroups } from '../cgroups.js'
import { startDaemon } from '../daemon.js'
import { LabError } from '../lab-error.js'
import type { LabLayout } from '../layout.js'
import type { Command, CommandResult, RunOptions, Runner } from '../runner.js'
import { NSPAWN_ENV, nspawnCommand, type Bind } from './nspawn.js'

/** A host's power state as the lab sees it. */
export type HostState = 'running' | 'frozen' | 'stopped'

/** The container's PID 1 as the machine sees it: the process whose innermost PID (`NSpid`) is 1. */
export async function initPid(layout: LabLayout, name: string): Promise<number | undefined> {
  for (const pid of await pidsOf(`${layout.cgroups(name).unified}/payload`)) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
    const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/)
    if (nspid !== undefined && nspid.length > 1 && nspid[nspid.length - 1] === '1') return pid
  }
  return undefined
}

/** `cmd` run inside the host's namespaces (mount, UTS, IPC, network, PID) as root. */
export function nsenterCommand(pid: number, cmd: Command): Command {
  return ['nsenter', `--target=${pid}`, '--mount', '--uts', '--ipc', '--net', '--pid', '--', ...cmd]
}

/** The lifecycle of the lab's hosts: boot, power cut, freeze, thaw, state, and commands inside them. */
export interface Hosts {
  state(name: string): Promise<HostState>
  /** Boot from the (mounted) disk, clearing leftovers of an earlier run first. */
  boot(name: string, o: { readonly root: string; readonly ns: string; readonly binds: readonly Bind[] }): Promise<number>
  /** Resolve once systemd reports `running` (or `degraded`) inside the host. */
  waitRunning(name: string, timeoutMs?: number): Promise<string>
  /** A power cut: `cgroup.kill` of every process of the host at once, nspawn included. */
  powerOff(name: string): Promise<void>
  freeze(name: string): Promise<void>
  thaw(name: string): Promise<void>
  exec(name: string, cmd: Command, o?: RunOptions): Promise<CommandResult>
  memoryBytes(name: string): Promise<number>
}

/** The hosts of the lab laid out by `layout`. */
export function hosts(layout: LabLayout, runner: Runner): Hosts {
  const cg = (name: string) => layout.cgroups(name)
  const exec = async (name: string, cmd: Command, o?: RunOptions): Promise<CommandResult> => {
    const pid = await initPid(layout, name)
    if (pid === undefined) throw new LabError('LAB_UNKNOWN_HOST', `host ${name} is not running`, { details: { host: name } })
    return runner.run(nsenterCommand(pid, cmd), o)
  }
  return {
    async state(name) {
      if (!(await populated(cg(name)))) return 'stopped'
      return (await frozen(cg(name))) ? 'frozen' : 'running'
    },
    async boot(name, o) {
      // leftovers of a crash or an earlier power cut: a second systemd on the same disk must never run
      await killCgroups(cg(name))
      await removeCgroups(cg(name))
      return startDaemon({
        cmd: nspawnCommand({ name, root: o.root, ns: o.ns, binds: o.binds }),
        cgroups: cg(name),
        pidFile: layout.hostPidFile(name),
        logFile: layout.hostConsole(name),
        env: NSPAWN_ENV,
      })
    },
    async waitRunning(name, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs
      let last = 'no init yet'
      // the wrapper moves itself into the host's cgroups just after the spawn: give it a moment
      const started = Date.now()
      while (Date.now() < until) {
        if (!(await populated(cg(name))) && Date.now() - started > 3000) break
        // before systemd has started there is no PID 1 to enter: exec rejects, keep the last answer
        last = await exec(name, ['systemctl', 'is-system-running'], { allowFail: true, timeoutMs: 5000 }).then((r) => r.stdout.trim(), () => last)
        if (last === 'running' || last === 'degraded') return last
        await new Promise((res) => setTimeout(res, 100))
      }
      const console = await readFile(layout.hostConsole(name), 'utf8').catch(() => '')
      throw new LabError('LAB_BOOT_TIMEOUT', `host ${name} did not reach running (last: ${last})`, {
        details: { host: name, state: last, console: console.slice(-2000) },
      })
    },
    async powerOff(name) {
      await killCgroups(cg(name))
      await removeCgroups(cg(name))
    },
    freeze: (name) => freezeCgroups(cg(name), true),
    thaw: (name) => freezeCgroups(cg(name), false),
    exec,
    memoryBytes: (name) => memoryBytes(cg(name)),
  }
}
