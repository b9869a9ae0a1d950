import { ProvisionerError } from '../errors.js'
import type { SshSessionFactory } from '../ssh/session.js'
import type { Stack } from '../stack/schema.js'
import type { SessionOptions, Target } from '../target.js'
import { awsTarget } from '../targets/aws/aws-target.js'
import type { EngineDeps } from '../targets/aws/clients.js'
import { listMachines } from '../targets/aws/machines.js'

/**
 * The CLI's AWS target: {@link awsTarget} with the CLI's own way of opening
 * SSH sessions (injected, so the CLI tests run without sshd), through the
 * bastion's public address.
 */
export function cliAwsTarget(stack: Stack, deps: EngineDeps, open: (o: SessionOptions & { readonly bastion: string }) => SshSessionFactory): Target {
  return {
    ...awsTarget({ ...deps, stack }),
    async sessions(o) {
      const bastion = (await listMachines(stack, deps)).find((m) => m.role === 'bastion')?.instance?.PublicIpAddress
      if (bastion === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', 'the bastion does not exist yet: run apply first')
      return open({ ...o, bastion })
    },
  }
}
