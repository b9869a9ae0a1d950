import { DescribeImagesCommand } from '@aws-sdk/client-ec2'
import type { ActualResource, DesiredOf } from '../plan/resources.js'
import type { EngineContext } from '../engine/context.js'
import { errorName } from '../retry.js'

/**
 * The Debian release an instance was made from, written at `RunInstances`.
 * The tag is what decides: an AMI that Debian has deregistered no longer
 * answers `DescribeImages`, so its `Name` cannot be read any more.
 */
export const TAG_OS_RELEASE = 'birthday-ha:os-release'

/**
 * The release in a Debian AMI name: Debian's cloud team names them
 * `debian-<release>-<arch>-<YYYYMMDD>-<build>`, e.g. `debian-13-amd64-20251117-2299`
 * (`debian-13-backports-amd64-…` for the backports kernel variant; https://wiki.debian.org/Cloud/AmazonEC2Image).
 * `undefined` for another name.
 */
export function releaseOfImageName(name: string | undefined): string | undefined {
  return /^debian-(\d+)-/.exec(name ?? '')?.[1]
}

/**
 * The Debian release of an existing instance: its `birthday-ha:os-release`
 * tag, or else (hosts made before the tag existed) the `Name` of its AMI.
 * `undefined` when neither is known: the AMI was deregistered, and
 * `DescribeImages` answers an empty list for it (`InvalidAMIID.NotFound`
 * once no instance uses it any more; API_DescribeImages.html). Read calls only.
 */
export async function instanceRelease(ctx: EngineContext, a: ActualResource): Promise<string | undefined> {
  const tagged = a.facts['osRelease']
  if (typeof tagged === 'string') return tagged
  const ec2 = ctx.deps.clients.ec2(a.region)
  const imageId = String(a.facts['imageId'])
  const res = await ctx
    .call('DescribeImages', () => ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })))
    .catch((err: unknown) => {
      if (errorName((err as Error).cause) === 'InvalidAMIID.NotFound') return { Images: [] }
      throw err
    })
  return releaseOfImageName(res.Images?.[0]?.Name)
}

/** How an instance's AMI compares with the one new hosts get. */
export interface ImageDrift {
  /** Another Debian release: the host needs replacement. */
  readonly replace?: string
  /** A newer build of the same release, or a release that cannot be told: the host stays; plan says so. */
  readonly note?: string
}

/**
 * Compare an instance's AMI with the latest one of the stack's Debian
 * release, as Terraform's `lifecycle { ignore_changes = [ami] }` does for a
 * newer build: Debian publishes one every few weeks, and replacing a
 * database host for it would be wrong. Only another release needs a new host.
 */
export async function imageDrift(ctx: EngineContext, d: DesiredOf<'instance'>, a: ActualResource): Promise<ImageDrift> {
  const latest = await ctx.image(d.region)
  const imageId = String(a.facts['imageId'])
  if (imageId === latest.id) return {}
  const release = await instanceRelease(ctx, a)
  if (release === undefined) {
    return { note: `release of AMI ${imageId} unknown (not described any more, no ${TAG_OS_RELEASE} tag): host kept; set the tag to its Debian release to check it` }
  }
  if (release !== latest.release) return { replace: `Debian ${release} -> ${latest.release} (AMI ${imageId} -> ${latest.id})` }
  return { note: `newer AMI build available: ${latest.id} (${latest.name}); this host keeps ${imageId}, new hosts get the newer one` }
}
