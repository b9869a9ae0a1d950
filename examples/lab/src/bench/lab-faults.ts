// The two faults the local cluster cannot give, on the lab's real network: each host has a network
// namespace of its own, so the leader can be cut off without touching a process.
import type { BenchFault, BenchMember } from '@birthday-ha/local-cluster/bench'
import { heal, partition } from '../faults/partition.js'
import type { LabHost } from '../network/network-plan.js'
import type { Runner } from '../runner.js'

/**
 * - `partition`: the leader cut off from the other DB hosts (their etcd, their replication), while the
 *   app hosts still reach it: it loses the etcd majority, and its PostgreSQL stays up and reachable.
 * - `blackhole`: the leader cut off from every host: packets to it are dropped, with no reset or ICMP
 *   answer, so a client's connect or query waits for its own timeout.
 * Both are undone (healed) once a new leader exists, with the load still running.
 */
export function labFaults(r: Runner, hosts: readonly LabHost[], dbHosts: readonly string[], now: () => number = Date.now): BenchFault[] {
  const host = (name: string): LabHost => {
    const h = hosts.find((x) => x.name === name)
    if (h === undefined) throw new Error(`no lab host ${name}`)
    return h
  }
  const cut = (name: 'partition' | 'blackhole', peersOf: (leader: LabHost) => readonly LabHost[]): BenchFault => ({
    name,
    inject: async (leader: BenchMember) => {
      const h = host(leader.name)
      const at = now()
      await partition(r, h, peersOf(h))
      return { at, undo: () => heal(r, h) }
    },
  })
  return [
    cut('partition', (l) => dbHosts.filter((n) => n !== l.name).map(host)),
    cut('blackhole', (l) => hosts.filter((h) => h.name !== l.name)),
  ]
}
