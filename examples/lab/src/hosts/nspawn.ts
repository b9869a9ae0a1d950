import type { Command } from '../runner.js'

/** A directory of the machine bind-mounted into a host. */
export interface Bind {
  readonly source: string
  readonly target: string
}

/** What {@link nspawnCommand} needs. */
export interface NspawnSpec {
  readonly name: string
  readonly root: string
  readonly ns: string
  readonly binds?: readonly Bind[]
}

/**
 * Boot a host with systemd as PID 1 in its own network namespace. Without
 * `--register=no --keep-unit` nspawn stops with `Failed to open system bus`
 * (no systemd on the machine); the rest keeps the machine's resolv.conf,
 * timezone and journal out of the host.
 */
export function nspawnCommand(s: NspawnSpec): Command {
  return [
    'systemd-nspawn',
    '--boot',
    `--directory=${s.root}`,
    `--machine=${s.name}`,
    `--network-namespace-path=/run/netns/${s.ns}`,
    '--register=no',
    '--keep-unit',
    '--console=read-only',
    '--resolv-conf=off',
    '--timezone=off',
    '--link-journal=no',
    ...(s.binds ?? []).map((b) => `--bind=${b.source}:${b.target}`),
  ]
}

/** nspawn's environment: a pure cgroup2 layout inside the host (the next systemd drops cgroup v1). */
export const NSPAWN_ENV: Readonly<Record<string, string>> = { SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' }
