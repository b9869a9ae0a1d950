/**
 * The lab: real Debian 13 hosts on one machine, a local stand-in for the AWS account.
 *
 * @example
 * ```ts
 * import { LAB_KIND } from '@birthday-ha/lab'
 * console.log(LAB_KIND) // 'lab'
 * ```
 */
export const LAB_KIND = 'lab' as const
