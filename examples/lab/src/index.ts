/**
 * The lab: real Debian 13 hosts (systemd-nspawn) on one machine, a local
 * stand-in for the AWS account: hosts, networks, the apt proxy and faults.
 *
 * @example
 * ```ts
 * import { openLab } from '@birthday-ha/lab'
 * const lab = openLab({ stack, id: { name: 'lab', slot: 0 } })
 * await lab.up()
 * const { configPath } = await lab.ssh() // ssh -F <configPath> db1
 * await lab.down()
 * ```
 */
export { openLab } from './lab.js'
/**
 * The lab's error class; `code` is one of {@link LAB_ERROR_CODES}.
 *
 * @example
 * ```ts
 * if (err instanceof LabError && err.code === 'LAB_BOOT_TIMEOUT') console.error(err.details)
 * ```
 */
export { LabError, LAB_ERROR_CODES } from './lab-error.js'
/**
 * The lab's whole network as data (hosts, addresses, namespaces, public addresses); pure.
 *
 * @example
 * ```ts
 * const plan = networkPlan(stack, { name: 'lab', slot: 0 })
 * plan.published // [{ host: 'bastion', publicIp: '198.18.0.100', … }, { host: 'edge', … }]
 * ```
 */
export { networkPlan } from './network/network-plan.js'
export type { Lab, LabOptions, LabMachine, LabSshAccess, UpReport } from './lab.js'
export type { LabErrorCode } from './lab-error.js'
export type { LabId, LabRoots } from './layout.js'
export type { LabHost, LabRole, NetworkPlan } from './network/network-plan.js'
export type { HostState } from './hosts/host.js'
export type { Runner, Command, CommandResult, RunOptions } from './runner.js'
