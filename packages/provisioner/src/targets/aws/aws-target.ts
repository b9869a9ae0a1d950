import { readSecrets } from './engine/secrets.js'
import type { EngineDeps } from './clients.js'
import { applyStack } from './engine/apply.js'
import { destroyStack } from './engine/destroy.js'
import { planStack } from './engine/plan.js'
import { ProvisionerError } from '../../errors.js'
import type { Target } from '../../target.js'

/**
 * The AWS implementation of {@link Target}: EC2 for machines and networks,
 * ELBv2 for the load balancer, SSM Parameter Store for secrets.
 *
 * A first cut that wraps the engine; the load balancer and machine listing
 * are filled in as the AWS code moves under `targets/aws/`.
 *
 * @example
 * ```ts
 * const target = awsTarget({ clients: defaultAwsClients() })
 * await target.infrastructure.apply(stack)
 * ```
 */
export function awsTarget(deps: EngineDeps): Target {
  const unsupported = (what: string): never => {
    throw new ProvisionerError('PROV_MISSING_RESOURCE', `aws target: ${what} is not wired yet`)
  }
  return {
    kind: 'aws',
    infrastructure: {
      plan: (stack) => planStack(stack, deps),
      apply: (stack, o) => applyStack(stack, { ...deps, ...(o?.onProgress === undefined ? {} : { onProgress: o.onProgress }) }),
      destroy: (stack, o) => destroyStack(stack, deps, o),
      machines: async () => unsupported('machines'),
    },
    loadBalancer: {
      deregister: async () => unsupported('deregister'),
      register: async () => unsupported('register'),
      health: async () => unsupported('health'),
      url: async () => unsupported('url'),
    },
    secrets: {
      ensure: (stack) => readSecrets(stack, deps),
      read: (stack) => readSecrets(stack, deps),
    },
    sessions: async () => unsupported('sessions'),
  }
}
