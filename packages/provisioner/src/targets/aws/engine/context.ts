import { randomBytes } from 'node:crypto'
import { DescribeImagesCommand } from '@aws-sdk/client-ec2'
import { GetParameterCommand } from '@aws-sdk/client-ssm'
import { defaultSleep, type EngineDeps, type ProgressEvent } from '../clients.js'
import { errorName, withRetry, type RetryOptions } from '../retry.js'
import { ProvisionerError } from '../../../errors.js'
import { TAG_ROLE, TAG_STACK, nameTag, type ActualResource, type DesiredResource, type GoneResource } from '../plan/resources.js'
import type { Stack } from '../../../stack/schema.js'

/** A step that changes something; `description` is what `plan` prints. */
export interface Action {
  readonly description: string
  readonly run: () => Promise<void>
}

/** The Debian release new hosts are made from (issue 8: Debian 13, trixie). */
export const DEBIAN_RELEASE = '13'

/**
 * The public SSM parameter of the latest AMI of that release, amd64
 * (https://wiki.debian.org/Cloud/AmazonEC2Image: `/aws/service/debian/release/<release>/latest/<arch>`).
 */
export const DEBIAN_AMI_PARAMETER = `/aws/service/debian/release/${DEBIAN_RELEASE}/latest/amd64`

/** The AMI new instances are made from, with its root device and name (read from `DescribeImages`, never assumed). */
export interface Image {
  readonly id: string
  readonly rootDeviceName: string
  /** Debian's name of the build, e.g. `debian-13-amd64-20251117-2299`. */
  readonly name: string
  /** The Debian release, written to new hosts' `birthday-ha:os-release` tag. */
  readonly release: string
}

/** How often a delete answering `DependencyViolation` is tried again (ms). */
export const DEPENDENCY_RETRY_MS = 10_000

/** Shared state of one plan/apply/destroy run. */
export class EngineContext {
  readonly stack: Stack
  readonly deps: EngineDeps & Required<Pick<EngineDeps, 'sleep' | 'maxWaitSeconds' | 'dependencyWaitSeconds' | 'generateSecret'>>
  readonly actual = new Map<string, ActualResource>()
  /** Terminated instances, deleted NAT gateways… still listed by AWS for a while: they make client tokens new. */
  readonly gone: GoneResource[] = []
  /** Secret values read or generated during this run, by parameter name. Never logged. */
  readonly secretValues = new Map<string, string>()
  readonly #images = new Map<string, Image>()

  constructor(stack: Stack, deps: EngineDeps) {
    this.stack = stack
    this.deps = {
      ...deps,
      sleep: deps.sleep ?? defaultSleep,
      maxWaitSeconds: deps.maxWaitSeconds ?? 600,
      dependencyWaitSeconds: deps.dependencyWaitSeconds ?? 1200,
      generateSecret: deps.generateSecret ?? (() => randomBytes(32).toString('base64url')),
    }
  }

  /** The AWS id of a resource, or a `<key>` placeholder when it does not exist yet (plan). */
  idOf(key: string): string {
    return this.actual.get(key)?.id ?? `<${key}>`
  }

  /** The AWS id of a resource that must exist now (apply). */
  requireId(key: string): string {
    const found = this.actual.get(key)
    if (found === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', `${key} does not exist yet`, { details: { key } })
    return found.id
  }

  /** How many resources of this key AWS still lists as gone (terminated, deleted). */
  goneCount(key: string): number {
    return this.gone.filter((g) => g.key === key).length
  }

  /** Run one AWS call with retries. */
  call<T>(label: string, fn: () => Promise<T>, opts: Omit<RetryOptions, 'sleep'> = {}): Promise<T> {
    return withRetry(label, fn, { ...opts, sleep: this.deps.sleep })
  }

  /**
   * Run a delete that AWS refuses with `DependencyViolation` while something
   * still goes away (an ALB's network interfaces, a terminating instance):
   * try again every 10 s for up to `dependencyWaitSeconds`, reporting progress,
   * as Terraform does. Other errors go through {@link call}'s retries.
   */
  async callUntilFree<T>(label: string, key: string, fn: () => Promise<T>): Promise<T> {
    const budget = this.deps.dependencyWaitSeconds * 1000
    const attempt = async (waited: number): Promise<T> => {
      try {
        return await this.call(label, fn)
      } catch (err) {
        const name = errorName((err as Error).cause)
        if (name !== 'DependencyViolation' && name !== 'ResourceInUseException') throw err
        if (waited >= budget) {
          throw new ProvisionerError('PROV_WAIT_TIMEOUT', `${label} of ${key}: still ${name} after ${this.deps.dependencyWaitSeconds} s`, { cause: err, details: { waiter: label, key } })
        }
        this.progress({ event: 'wait', key, detail: `${label}: ${name}, trying again (${Math.round(waited / 1000)} s)` })
        await this.deps.sleep(DEPENDENCY_RETRY_MS)
        return attempt(waited + DEPENDENCY_RETRY_MS)
      }
    }
    return attempt(0)
  }

  /** EC2 tags of a resource. */
  tags(d: Pick<DesiredResource, 'key' | 'role'>): { Key: string; Value: string }[] {
    return [
      { Key: 'Name', Value: nameTag(this.stack.name, d.key) },
      { Key: TAG_STACK, Value: this.stack.name },
      { Key: TAG_ROLE, Value: d.role },
    ]
  }

  progress(e: ProgressEvent): void {
    this.deps.onProgress?.(e)
  }

  /** The latest AMI of {@link DEBIAN_RELEASE} in a region and its root device name (looked up once per run; read calls only). */
  async image(region: string): Promise<Image> {
    const known = this.#images.get(region)
    if (known !== undefined) return known
    const ssm = this.deps.clients.ssm(region)
    const p = await this.call('GetParameter', () => ssm.send(new GetParameterCommand({ Name: DEBIAN_AMI_PARAMETER })))
    const id = p.Parameter!.Value!
    // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Image.html: RootDeviceName, e.g. /dev/xvda or /dev/sda1.
    const d = await this.call('DescribeImages', () => this.deps.clients.ec2(region).send(new DescribeImagesCommand({ ImageIds: [id] })))
    const found = d.Images?.[0]
    if (found?.RootDeviceName === undefined) throw new ProvisionerError('PROV_MISSING_RESOURCE', `AMI ${id} in ${region} has no root device name`, { details: { ami: id, region } })
    /* c8 ignore next */ // AWS requires a Name to register an AMI (API_RegisterImage.html); the SDK only types it optional.
    const name = found.Name ?? id
    const image = { id, rootDeviceName: found.RootDeviceName, name, release: DEBIAN_RELEASE }
    this.#images.set(region, image)
    return image
  }
}
