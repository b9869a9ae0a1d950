import type { EngineDeps } from '../clients.js'
import { ProvisionerError } from '../../../errors.js'
import { terminateInstances } from '../kinds/instance.js'
import { desiredResources } from '../plan/desired.js'
import type { Stack } from '../../../stack/schema.js'
import { EngineContext } from './context.js'
import { createResource } from './create.js'
import { deleteResources } from './destroy.js'
import { discoverInto, replacementReasons } from './plan.js'
import { reconcileActions } from './reconcile.js'

/** What an apply did, by resource key. */
export interface ApplyReport {
  readonly created: readonly string[]
  readonly updated: readonly string[]
  /** Made anew because a setting could not change in place (only with `allowReplace`). */
  readonly replaced: readonly string[]
  readonly kept: readonly string[]
  readonly deleted: readonly string[]
}

/** Options of {@link applyStack} on top of the engine's dependencies. */
export interface ApplyStackOptions extends EngineDeps {
  /** Replace what cannot change in place (instance type, root volume size, AMI); without it apply refuses them before changing anything. */
  readonly allowReplace?: boolean
}

/**
 * Converge the account to the stack: discover by tags, create what is
 * missing (in dependency order), fix rules/routes/targets/listeners in
 * place, delete orphans. Idempotent: a second run makes no mutating call.
 * Safe to re-run after a crash or Ctrl-C (client tokens, lookups after a
 * lost answer). Refuses with `PROV_NEEDS_REPLACEMENT`, before any change,
 * when a host must be replaced and `allowReplace` is not set.
 *
 * @example
 * ```ts
 * const report = await applyStack(stack, { clients, onProgress: (e) => console.error(e.event, e.key) })
 * ```
 */
export async function applyStack(stack: Stack, deps: ApplyStackOptions): Promise<ApplyReport> {
  const ctx = new EngineContext(stack, deps)
  const desired = desiredResources(stack)
  await discoverInto(ctx, desired)
  const replace = new Map<string, string[]>()
  for (const d of desired) {
    const a = ctx.actual.get(d.key)
    const reasons = a === undefined ? [] : await replacementReasons(ctx, d, a)
    if (reasons.length > 0) replace.set(d.key, reasons)
  }
  if (replace.size > 0 && deps.allowReplace !== true) {
    const list = [...replace].map(([k, r]) => `${k} (${r.join('; ')})`)
    throw new ProvisionerError('PROV_NEEDS_REPLACEMENT', `these cannot change in place and need replacement: ${list.join(', ')}; nothing was changed. Apply again with allowReplace (--replace) to replace them`, {
      details: { replace: [...replace.keys()] },
    })
  }
  const created: string[] = []
  const updated: string[] = []
  const replaced: string[] = []
  const kept: string[] = []
  for (const d of desired) {
    let a = ctx.actual.get(d.key)
    if (a !== undefined && replace.has(d.key)) {
      ctx.progress({ event: 'replace', key: d.key, region: d.region, detail: replace.get(d.key)!.join('; ') })
      await terminateInstances(ctx, d.region, [a])
      ctx.gone.push({ key: a.key, kind: a.kind, region: a.region, id: a.id, state: 'terminated' })
      ctx.actual.delete(d.key)
      a = undefined
      replaced.push(d.key)
    }
    const isNew = a === undefined
    if (a === undefined) {
      ctx.progress({ event: 'create', key: d.key, region: d.region })
      a = await createResource(ctx, d)
      ctx.actual.set(d.key, a)
      if (!replace.has(d.key)) created.push(d.key)
    }
    const actions = reconcileActions(ctx, d, a)
    for (const action of actions) {
      ctx.progress({ event: 'update', key: d.key, region: d.region, detail: action.description })
      await action.run()
    }
    if (!isNew) (actions.length > 0 ? updated : kept).push(d.key)
  }
  const wanted = new Set(desired.map((d) => d.key))
  const orphans = [...ctx.actual.values()].filter((a) => !wanted.has(a.key))
  await deleteResources(ctx, orphans)
  return { created, updated, replaced, kept, deleted: orphans.map((o) => o.key) }
}
