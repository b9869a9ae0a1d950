import { paginateDescribeInstances, type Instance } from '@aws-sdk/client-ec2'
import type { Machine } from '../../target.js'
import type { Stack } from '../../stack/schema.js'
import type { EngineDeps } from './clients.js'
import { desiredResources } from './plan/desired.js'
import { TAG_STACK, nameTag, type DesiredOf } from './plan/resources.js'
import { EngineContext } from './engine/context.js'

/** The stack's host name of an instance key: `primary/host/db-2` → `db2`, `dr/host/db-1` → `dr1`, `primary/host/bastion` → `bastion`. */
export function hostName(key: string): string {
  if (key.startsWith('dr/host/db-')) return `dr${key.slice('dr/host/db-'.length)}`
  return key.slice(key.lastIndexOf('/') + 1).replace('-', '')
}

// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html
const STATE: Readonly<Record<string, Machine['state']>> = { pending: 'running', running: 'running', stopping: 'stopped', stopped: 'stopped' }

/** A machine with the instance AWS holds for it (`instance` is undefined when it is missing). */
export interface AwsMachine extends Machine {
  readonly instance?: Instance
}

/** Every host of the stack from `DescribeInstances` by tag, in the stack's order, with its state. */
export async function listMachines(stack: Stack, deps: EngineDeps): Promise<readonly AwsMachine[]> {
  const hosts = desiredResources(stack).filter((d): d is DesiredOf<'instance'> => d.kind === 'instance')
  const found = new Map<string, Instance>()
  const ctx = new EngineContext(stack, deps)
  for (const region of [stack.primary.region, stack.dr.region]) {
    const instances = await ctx.call('DescribeInstances', async () => {
      const out: Instance[] = []
      const pages = paginateDescribeInstances({ client: deps.clients.ec2(region) }, { Filters: [{ Name: `tag:${TAG_STACK}`, Values: [stack.name] }] })
      for await (const p of pages) out.push(...p.Reservations!.flatMap((r) => r.Instances!))
      return out
    })
    // Instances are always tagged with their Name (RunInstances TagSpecifications); gone ones are not machines.
    for (const i of instances) if (STATE[i.State!.Name!] !== undefined) found.set(i.Tags!.find((t) => t.Key === 'Name')!.Value!, i)
  }
  return hosts.map((h) => {
    const i = found.get(nameTag(stack.name, h.key))
    return { name: hostName(h.key), role: h.hostRole, ip: h.privateIp, id: i?.InstanceId ?? '', state: i === undefined ? 'missing' : STATE[i.State!.Name!]!, ...(i === undefined ? {} : { instance: i }) }
  })
}
