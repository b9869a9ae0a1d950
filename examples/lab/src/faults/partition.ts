import type { LabHost } from '../network/network-plan.js'
import { partitionRules } from '../network/nft-rules.js'
import type { Runner } from '../runner.js'

/**
 * Cut `host` off from `peers` in both directions: a drop table in the
 * host's own namespace (so the host's systemd and sshd run on, like a
 * broken link, not a dead machine). Replaces an earlier partition of it.
 */
export async function partition(r: Runner, host: LabHost, peers: readonly LabHost[]): Promise<void> {
  await heal(r, host)
  await r.run(['ip', 'netns', 'exec', host.ns, 'nft', '-f', '-'], { input: partitionRules(peers.map((p) => p.ip)) })
}

/** Remove `host`'s partition, if any. */
export async function heal(r: Runner, host: LabHost): Promise<void> {
  await r.run(['ip', 'netns', 'exec', host.ns, 'nft', 'delete', 'table', 'inet', 'lab-fault'], { allowFail: true })
}
