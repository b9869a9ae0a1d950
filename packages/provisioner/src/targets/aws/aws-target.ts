import { openSsh as realOpenSsh, type SshSession, type SshTarget } from '../../ssh/session.js'
import { ProvisionerError } from '../../errors.js'
import type { Target } from '../../target.js'
import type { Stack } from '../../stack/schema.js'
import type { EngineDeps } from './clients.js'
import { applyStack } from './engine/apply.js'
import { destroyStack } from './engine/destroy.js'
import { planStack } from './engine/plan.js'
import { ensureSecrets, readSecrets } from './engine/secrets.js'
import { albLoadBalancer } from './load-balancer.js'
import { listMachines } from './machines.js'

/** What {@link awsTarget} needs: the engine's dependencies, and how to open SSH (tests pass a fake). */
export interface AwsTargetDeps extends EngineDeps {
  /** The stack `sessions()` reaches (its bastion); `Target.sessions` takes no stack. */
  readonly stack?: Stack
  readonly openSsh?: (target: SshTarget) => Promise<SshSession>
}

/**
 * The AWS implementation of {@link Target}: EC2 for machines and networks,
 * ELBv2 for the load balancer, SSM Parameter Store (SecureString) for
 * secrets, SSH through the bastion's public address.
 *
 * @example
 * ```ts
 * const target = awsTarget({ clients, stack })
 * await target.infrastructure.apply(stack)
 * ```
 */
export function awsTarget(deps: AwsTargetDeps): Target {
  const open = deps.openSsh ?? realOpenSsh
  return {
    kind: 'aws',
    infrastructure: {
      plan: (stack) => planStack(stack, deps),
      apply: (stack, o) =>
        applyStack(stack, {
          ...deps,
          ...(o?.onProgress === undefined ? {} : { onProgress: o.onProgress }),
          ...(o?.allowReplace === undefined ? {} : { allowReplace: o.allowReplace }),
        }),
      destroy: (stack, o) => destroyStack(stack, deps, o),
      machines: (stack) => listMachines(stack, deps).then((ms) => ms.map(({ instance: _, ...m }) => m)),
    },
    loadBalancer: albLoadBalancer(deps),
    secrets: {
      ensure: (stack) => ensureSecrets(stack, deps),
      read: (stack) => readSecrets(stack, deps),
    },
    async sessions(o) {
      const stack = deps.stack
      if (stack === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', 'awsTarget needs the stack (deps.stack) to find its bastion for sessions()')
      const bastion = (await listMachines(stack, deps)).find((m) => m.role === 'bastion')?.instance?.PublicIpAddress
      if (bastion === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', 'the bastion does not exist yet or has no public address: run apply first')
      const login = { username: o.username, privateKey: o.privateKey }
      return (t) => open({ host: t.host, ...login, sudo: true, jump: { host: bastion, ...login } })
    },
  }
}
