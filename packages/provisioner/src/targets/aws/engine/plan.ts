import type { EngineDeps } from '../clients.js'
import { discover } from '../discover.js'
import { desiredResources } from '../plan/desired.js'
import { nameTag, type ActualResource, type DesiredResource, type ResourceKind } from '../plan/resources.js'
import { instanceNotes, instanceReplacement } from '../kinds/instance.js'
import type { Stack } from '../../../stack/schema.js'
import { EngineContext } from './context.js'
import { reconcileActions } from './reconcile.js'

/** What happens to one resource; `replace` is refused by `apply` without `allowReplace`. */
export type PlanAction = 'create' | 'update' | 'replace' | 'keep' | 'delete'

/** One line of a plan. Never holds a secret value. */
export interface PlanItem {
  readonly action: PlanAction
  readonly key: string
  readonly kind: ResourceKind
  readonly region: string
  readonly id?: string
  readonly changes: readonly string[]
  /** Told but not acted on, whatever the action (a newer AMI build: hosts keep theirs, new hosts get it). */
  readonly notes: readonly string[]
}

/** A plan: the diff between the stack file and what the tags say exists. */
export interface Plan {
  readonly stack: string
  readonly regions: { readonly primary: string; readonly dr: string }
  readonly items: readonly PlanItem[]
  readonly summary: Readonly<Record<PlanAction, number>>
}

/** Discover a stack's resources into the context (keyed by desired key, or `orphan:<name>`). */
export async function discoverInto(ctx: EngineContext, desired: readonly DesiredResource[]): Promise<void> {
  const keyOfName = new Map(desired.map((d) => (d.kind === 'secret' ? [`${d.region}:${d.parameter}`, d.key] : [nameTag(ctx.stack.name, d.key), d.key])))
  const { actual: found, gone } = await discover(ctx.stack.name, [ctx.stack.primary.region, ctx.stack.dr.region], keyOfName, ctx.deps)
  ctx.gone.push(...gone)
  for (const a of found) {
    // Two resources with one Name (e.g. made by hand): the second is an orphan, deleted by apply.
    const b = ctx.actual.has(a.key) ? { ...a, key: `orphan:${a.id}` } : a
    ctx.actual.set(b.key, b)
  }
}

/**
 * What cannot change in place (instance type, root volume size, another
 * Debian release): the resource needs a new one. Empty when it can stay.
 */
export async function replacementReasons(ctx: EngineContext, d: DesiredResource, a: ActualResource): Promise<string[]> {
  return d.kind === 'instance' ? instanceReplacement(ctx, d, a) : []
}

/**
 * Compute the plan of a stack: discover by tags, then diff with the desired
 * state. Makes only read calls.
 *
 * @example
 * ```ts
 * const plan = await planStack(stack, { clients })
 * console.log(formatPlan(plan))
 * ```
 */
export async function planStack(stack: Stack, deps: EngineDeps): Promise<Plan> {
  const ctx = new EngineContext(stack, deps)
  const desired = desiredResources(stack)
  await discoverInto(ctx, desired)
  const items: PlanItem[] = []
  for (const d of desired) {
    const a = ctx.actual.get(d.key)
    if (a === undefined) {
      items.push({ action: 'create', key: d.key, kind: d.kind, region: d.region, changes: describeCreate(d), notes: [] })
      continue
    }
    const replace = (await replacementReasons(ctx, d, a)).map((r) => `needs replacement: ${r}`)
    const changes = [...replace, ...reconcileActions(ctx, d, a).map((x) => x.description)]
    const notes = d.kind === 'instance' ? await instanceNotes(ctx, d, a) : []
    items.push({ action: replace.length > 0 ? 'replace' : changes.length > 0 ? 'update' : 'keep', key: d.key, kind: d.kind, region: d.region, id: a.id, changes, notes })
  }
  const wanted = new Set(desired.map((d) => d.key))
  for (const a of ctx.actual.values()) {
    if (!wanted.has(a.key)) items.push({ action: 'delete', key: a.key, kind: a.kind, region: a.region, id: a.id, changes: [], notes: [] })
  }
  const summary = { create: 0, update: 0, replace: 0, keep: 0, delete: 0 }
  for (const i of items) summary[i.action]++
  return { stack: stack.name, regions: { primary: stack.primary.region, dr: stack.dr.region }, items, summary }
}

function describeCreate(d: DesiredResource): string[] {
  switch (d.kind) {
    case 'secret':
      return [`SecureString ${d.parameter} (generated, value never shown)`]
    case 'vpc':
    case 'subnet':
      return [d.cidr]
    case 'security-group':
      return d.ingress.map((r) => `allow tcp/${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`} from ${'cidr' in r.source ? r.source.cidr : r.source.sg}`)
    case 'vpc-endpoint':
      return [`${d.service} gateway on ${d.routeTables.join(', ')}`]
    case 'listener':
      return [`${d.certificateArn === undefined ? 'HTTP' : 'HTTPS'} :${d.port} -> ${d.targetGroup}`]
    case 'instance':
      return [`${d.instanceType} ${d.privateIp}${d.publicIp ? ' +public IP' : ''}, gp3 ${d.volumeGiB} GiB encrypted, IMDSv2 required`]
    case 'route-table':
      return d.routes.map((r) => `route ${r.destination} -> ${r.target.key}`)
    default:
      return []
  }
}

const SIGN: Record<PlanAction, string> = { create: '+', update: '~', replace: '!', keep: '=', delete: '-' }

/**
 * Render a plan for people: one line per resource with `+ ~ ! = -`
 * (`!` needs replacement), the changes indented below, notes (`note:`, no
 * change) even under unchanged ones, then a summary.
 */
export function formatPlan(plan: Plan): string {
  const width = Math.max(...plan.items.map((i) => i.key.length))
  const lines = [`Plan for stack ${plan.stack} (primary ${plan.regions.primary}, DR ${plan.regions.dr})`]
  for (const i of plan.items) {
    lines.push(`${SIGN[i.action]} ${i.key.padEnd(width)}  ${i.kind.padEnd(16)} ${i.region}${i.id === undefined ? '' : `  ${i.id}`}`)
    if (i.action !== 'keep') for (const c of i.changes) lines.push(`      ${c}`)
    for (const n of i.notes) lines.push(`      note: ${n}`)
  }
  const s = plan.summary
  lines.push(`${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.keep} unchanged, ${s.delete} to delete`)
  if (s.replace > 0) lines.push('apply refuses replacements unless allowed (--replace): the replaced hosts are terminated and made anew')
  return lines.join('\n')
}
