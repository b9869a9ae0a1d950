import { parse } from 'yaml'

// Patroni applies `bootstrap.dcs` once, when the cluster is created; afterwards the dynamic
// configuration lives in the DCS and changes only through `PATCH /config`
// (https://patroni.readthedocs.io/en/latest/dynamic_configuration.html). So a stack that was
// created before a setting existed keeps the old value unless someone patches it. These are the
// settings the provisioner keeps converged on running clusters.

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * Top-level scalars of the dynamic configuration that follow the stack: Patroni's timing (a stack's new
 * timing profile used to reach only clusters created after it), the failover lag limit, synchronous and
 * failsafe mode, `primary_stop_timeout`. Patroni applies them at run time, in the next loop
 * (https://patroni.readthedocs.io/en/latest/dynamic_configuration.html); one PATCH changes them together, so
 * Patroni's check of `loop_wait + 2 × retry_timeout ≤ ttl` sees the new values at once.
 */
const FOLLOWED = ['ttl', 'loop_wait', 'retry_timeout', 'maximum_lag_on_failover', 'synchronous_mode', 'failsafe_mode', 'primary_stop_timeout'] as const

/** A scalar as stored: a value PATCHed as a string (`"20"`) is the same setting as the number. */
const sameScalar = (a: unknown, b: unknown): boolean => a === b || ((typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string') && `${a}` === `${b}`)

/**
 * The `PATCH /config` body that brings a running cluster's dynamic configuration (`current`, the
 * JSON of `GET /config`) to what `patroniYml` would bootstrap, for the settings that must follow
 * the stack: the {@link FOLLOWED} scalars, permanent slots, `max_slot_wal_keep_size`, and the standby
 * cluster's source. A promoted DR cluster (no `standby_cluster` any more) is never turned back into a
 * standby. `undefined` when nothing differs.
 */
export function dynamicConfigPatch(patroniYml: string, current: unknown): Json | undefined {
  const bootstrap = bootstrapDcs(patroniYml)
  if (!isObject(current)) return undefined // no answer: nothing to compare, nothing patched
  const now = current
  const patch: Json = {}
  for (const key of FOLLOWED) if (bootstrap[key] !== undefined && !sameScalar(bootstrap[key], now[key])) patch[key] = bootstrap[key]
  const slots = isObject(bootstrap.slots) ? bootstrap.slots : {}
  const nowSlots = isObject(now.slots) ? now.slots : {}
  const missing = Object.entries(slots).filter(([name, slot]) => !same(nowSlots[name], slot))
  if (missing.length > 0) patch.slots = Object.fromEntries(missing)
  const keep = (bootstrap.postgresql as { parameters?: Json } | undefined)?.parameters?.max_slot_wal_keep_size
  const nowKeep = (now.postgresql as { parameters?: Json } | undefined)?.parameters?.max_slot_wal_keep_size
  if (keep !== undefined && keep !== nowKeep) patch.postgresql = { parameters: { max_slot_wal_keep_size: keep } }
  const standby = bootstrap.standby_cluster
  if (isObject(standby) && isObject(now.standby_cluster)) {
    const source = ['host', 'port', 'primary_slot_name'] as const
    if (source.some((k) => !same(standby[k], (now.standby_cluster as Json)[k]))) patch.standby_cluster = standby
  }
  return Object.keys(patch).length === 0 ? undefined : patch
}

/** The `bootstrap.dcs` section of a `patroni.yml`: the dynamic configuration a new cluster starts with. */
export function bootstrapDcs(patroniYml: string): Json {
  return (parse(patroniYml, { version: '1.1' }) as { bootstrap?: { dcs?: Json } }).bootstrap?.dcs ?? {}
}
