import type { EngineDeps } from '../clients.js'
import { desiredResources } from '../plan/desired.js'
import type { Stack } from '../../../stack/schema.js'
import { EngineContext } from './context.js'
import { createResource } from './create.js'
import { deleteResources } from './destroy.js'
import { discoverInto } from './plan.js'
import { reconcileActions } from './reconcile.js'

/** What an apply did, by resource key. */
export interface ApplyReport {
  readonly created: readonly string[]
  readonly updated: readonly string[]
  readonly kept: readonly string[]
  readonly deleted: readonly string[]
}

/**
 * Converge the account to the stack: discover by tags, create what is
 * missing (in dependency order), fix rules/routes/targets, delete orphans.
 * Idempotent: a second run makes no mutating call. Safe to re-run after a
 * crash or Ctrl-C (RunInstances uses a deterministic ClientToken).
 *
 * @example
 * ```ts
 * const report = await applyStack(stack, { clients, onProgress: (e) => console.error(e.event, e.key) })
 * ```
 */
export async function applyStack(stack: Stack, deps: EngineDeps): Promise<ApplyReport> {
  const ctx = new EngineContext(stack, deps)
  const desired = desiredResources(stack)
  await discoverInto(ctx, desired)
  const created: string[] = []
  const updated: string[] = []
  const kept: string[] = []
  for (const d of desired) {
    let a = ctx.actual.get(d.key)
    const isNew = a === undefined
    if (a === undefined) {
      ctx.progress({ event: 'create', key: d.key, region: d.region })
      a = await createResource(ctx, d)
      ctx.actual.set(d.key, a)
      created.push(d.key)
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
  return { created, updated, kept, deleted: orphans.map((o) => o.key) }
}
