import { createHash } from 'node:crypto'
import { DescribeInstancesCommand, RunInstancesCommand, TerminateInstancesCommand, type RunInstancesCommandInput } from '@aws-sdk/client-ec2'
import type { ActualResource, DesiredOf } from '../plan/resources.js'
import type { EngineContext } from '../engine/context.js'
import { outcome, pollUntil } from '../engine/waiters.js'
import { errorName } from '../retry.js'
import { ProvisionerError } from '../../../errors.js'
import { TAG_OS_RELEASE, imageDrift } from './debian-image.js'

/**
 * `RunInstances` ClientToken: a hash of the stack, the key, every launch
 * parameter (the current subnet and group ids, the AMI, type, volume…), how
 * many terminated instances of this key AWS still lists, and an attempt
 * number. So it is the same for retries within a run and for a resumed run,
 * and new after a destroy (new subnet ids) or a termination; a token stays
 * valid at least 24 h after its instance terminates, and the same token with
 * other parameters is `IdempotentParameterMismatch`
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html).
 */
export function instanceToken(stack: string, key: string, input: Omit<RunInstancesCommandInput, 'ClientToken'>, gone: number, attempt: number): string {
  return createHash('sha256').update(JSON.stringify([stack, key, input, gone, attempt])).digest('hex').slice(0, 64)
}

/**
 * What cannot change in place on a running host: these need a new instance.
 * The AMI counts only when it is another Debian release; a newer build of
 * the same release is a note ({@link instanceNotes}).
 */
export async function instanceReplacement(ctx: EngineContext, d: DesiredOf<'instance'>, a: ActualResource): Promise<string[]> {
  const f = a.facts
  const out: string[] = []
  if (f['instanceType'] !== d.instanceType) out.push(`instance type ${String(f['instanceType'])} -> ${d.instanceType}`)
  if (f['volumeGiB'] !== d.volumeGiB) out.push(`root volume ${String(f['volumeGiB'])} GiB -> ${d.volumeGiB} GiB`)
  const drift = await imageDrift(ctx, d, a)
  if (drift.replace !== undefined) out.push(drift.replace)
  return out
}

/** What plan tells about a host without changing it (a newer AMI build of its release). */
export async function instanceNotes(ctx: EngineContext, d: DesiredOf<'instance'>, a: ActualResource): Promise<string[]> {
  const drift = await imageDrift(ctx, d, a)
  return drift.note === undefined ? [] : [drift.note]
}

const GONE = new Set(['shutting-down', 'terminated'])

/** Poll an instance until it is in one of `done` (pending → running, shutting-down → terminated). */
async function waitInstance(ctx: EngineContext, region: string, key: string, id: string, done: readonly string[]): Promise<string> {
  const ec2 = ctx.deps.clients.ec2(region)
  return pollUntil(
    ctx,
    `instance ${key} ${done[0]}`,
    async () => {
      const r = await ctx.call('DescribeInstances', () => ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] })), { notFound: true })
      return outcome(r.Reservations?.[0]?.Instances?.[0]?.State?.Name, done)
    },
    key,
  )
}

/** Terminate instances and wait until AWS says `terminated` (`shutting-down` first). */
export async function terminateInstances(ctx: EngineContext, region: string, instances: readonly ActualResource[]): Promise<void> {
  const ec2 = ctx.deps.clients.ec2(region)
  const InstanceIds = instances.map((r) => r.id)
  await ctx.call('TerminateInstances', () => ec2.send(new TerminateInstancesCommand({ InstanceIds })))
  for (const r of instances) await waitInstance(ctx, region, r.key, r.id, ['terminated'])
}

/** Launch a host (IMDSv2, encrypted gp3 root volume on the AMI's own root device) and wait until it runs. */
export async function createInstance(ctx: EngineContext, d: DesiredOf<'instance'>): Promise<ActualResource> {
  const ec2 = ctx.deps.clients.ec2(d.region)
  const Tags = ctx.tags(d)
  const db = d.hostRole === 'db' || d.hostRole === 'dr-db'
  const image = await ctx.image(d.region)
  const input: Omit<RunInstancesCommandInput, 'ClientToken'> = {
    ImageId: image.id,
    InstanceType: d.instanceType as never,
    MinCount: 1,
    MaxCount: 1,
    KeyName: ctx.stack.sshKeyName,
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 1 },
    BlockDeviceMappings: [{ DeviceName: image.rootDeviceName, Ebs: { VolumeSize: d.volumeGiB, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }],
    NetworkInterfaces: [
      { DeviceIndex: 0, SubnetId: ctx.requireId(d.subnet), Groups: [ctx.requireId(d.securityGroup)], PrivateIpAddress: d.privateIp, AssociatePublicIpAddress: d.publicIp },
    ],
    ...(db ? { IamInstanceProfile: { Name: ctx.stack.backups.instanceProfile } } : {}),
    // The release goes on the instance: it still tells after Debian deregisters the AMI (kinds/debian-image.ts).
    TagSpecifications: [{ ResourceType: 'instance', Tags: [...Tags, { Key: TAG_OS_RELEASE, Value: image.release }] }, { ResourceType: 'volume', Tags }],
  }
  for (let attempt = 0; attempt < 4; attempt++) {
    const ClientToken = instanceToken(ctx.stack.name, d.key, input, ctx.goneCount(d.key), attempt)
    const res = await ctx.call('RunInstances', () => ec2.send(new RunInstancesCommand({ ...input, ClientToken })), { notFound: true }).catch((err: unknown) => {
      if (errorName((err as Error).cause) === 'IdempotentParameterMismatch') return undefined
      throw err
    })
    if (res === undefined) continue
    const launched = res.Instances![0]!
    const id = launched.InstanceId!
    // A reused token answers with its old instance, even a terminated one (AWS lists those ~1 h, tokens live ≥ 24 h): take the next token.
    if (GONE.has(launched.State!.Name!)) continue
    // An instance can also terminate right after launch (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/troubleshooting-launch.html): take the next token.
    const state = await waitInstance(ctx, d.region, d.key, id, ['running', 'shutting-down', 'terminated'])
    if (state !== 'running') continue
    return { key: d.key, kind: d.kind, region: d.region, id, facts: { privateIp: d.privateIp, state, instanceType: d.instanceType, imageId: image.id, osRelease: image.release, volumeGiB: d.volumeGiB } }
  }
  throw new ProvisionerError('PROV_AWS_CALL_FAILED', `RunInstances for ${d.key} gave no running instance after 4 client tokens`, { details: { call: 'RunInstances', key: d.key } })
}
