import type { SshSession } from '../ssh/session.js'

/** What happened to a unit: it was already running, or it was started now. */
export type UnitState = 'running' | 'started' | 'absent'

/**
 * Start and enable a unit unless it already runs. `systemctl enable --now` never restarts a
 * running unit, so a changed config needs {@link restartUnit} (systemctl(1), "enable --now").
 * With `onlyIf`, a unit is left alone (`absent`) while that path does not exist.
 */
export async function ensureUnit(s: SshSession, unit: string, onlyIf?: string): Promise<UnitState> {
  const guard = onlyIf === undefined ? '' : `if [ ! -e ${onlyIf} ]; then echo absent; el`
  const r = await s.run(`${guard}if systemctl is-active -q ${unit}; then systemctl enable -q ${unit}; echo running; else systemctl enable -q --now ${unit}; echo started; fi`)
  const out = r.stdout.trim()
  return out === 'running' || out === 'absent' ? out : 'started'
}

/** Restart a unit (for a `Type=notify` unit, systemctl waits until it reports ready again). */
export async function restartUnit(s: SshSession, unit: string): Promise<void> {
  await s.run(`systemctl restart ${unit}`)
}

/** The units of a host whose files were rewritten in this run, by host name. */
export class ChangedUnits {
  readonly #byHost = new Map<string, Set<string>>()

  add(host: string, units: readonly string[]): void {
    const set = this.#byHost.get(host) ?? new Set<string>()
    for (const u of units) set.add(u)
    this.#byHost.set(host, set)
  }

  has(host: string, unit: string): boolean {
    return this.#byHost.get(host)?.has(unit) === true
  }
}
