import { randomBytes } from 'node:crypto'
import { defaultSleep, type EngineDeps, type ProgressEvent } from '../clients.js'
import { withRetry, type RetryOptions } from '../retry.js'
import { ProvisionerError } from '../../../errors.js'
import { TAG_ROLE, TAG_STACK, nameTag, type ActualResource, type DesiredResource } from '../plan/resources.js'
import type { Stack } from '../../../stack/schema.js'

/** A step that changes something; `description` is what `plan` prints. */
export interface Action {
  readonly description: string
  readonly run: () => Promise<void>
}

/** Shared state of one plan/apply/destroy run. */
export class EngineContext {
  readonly stack: Stack
  readonly deps: EngineDeps & Required<Pick<EngineDeps, 'sleep' | 'maxWaitSeconds' | 'generateSecret'>>
  readonly actual = new Map<string, ActualResource>()
  /** Secret values read or generated during this run, by parameter name. Never logged. */
  readonly secretValues = new Map<string, string>()
  readonly #amis = new Map<string, string>()

  constructor(stack: Stack, deps: EngineDeps) {
    this.stack = stack
    this.deps = {
      ...deps,
      sleep: deps.sleep ?? defaultSleep,
      maxWaitSeconds: deps.maxWaitSeconds ?? 600,
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

  /** Run one AWS call with retries. */
  call<T>(label: string, fn: () => Promise<T>, opts: Omit<RetryOptions, 'sleep'> = {}): Promise<T> {
    return withRetry(label, fn, { ...opts, sleep: this.deps.sleep })
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

  /** Cache of AMI ids per region (looked up once per run). */
  get amis(): Map<string, string> {
    return this.#amis
  }
}
