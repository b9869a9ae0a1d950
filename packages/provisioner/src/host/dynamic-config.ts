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
 * The `PATCH /config` body that brings a running cluster's dynamic configuration (`current`, the
 * JSON of `GET /config`) to what `patroniYml` would bootstrap, for the settings that must follow
 * the stack: permanent slots, `max_slot_wal_keep_size`, `primary_stop_timeout`, and the standby cluster's source. A
 * promoted DR cluster (no `standby_cluster` any more) is never turned back into a standby.
 * `undefined` when nothing differs.
 */
export function dynamicConfigPatch(patroniYml: string, current: unknown): Json | undefined {
  const bootstrap = bootstrapDcs(patroniYml)
  const now = isObject(current) ? current : {}
  const patch: Json = {}
  const slots = isObject(bootstrap.slots) ? bootstrap.slots : {}
  const nowSlots = isObject(now.slots) ? now.slots : {}
  const missing = Object.entries(slots).filter(([name, slot]) => !same(nowSlots[name], slot))
  if (missing.length > 0) patch.slots = Object.fromEntries(missing)
  const keep = (bootstrap.postgresql as { parameters?: Json } | undefined)?.parameters?.max_slot_wal_keep_size
  const nowKeep = (now.postgresql as { parameters?: Json } | undefined)?.parameters?.max_slot_wal_keep_size
  if (keep !== undefined && keep !== nowKeep) patch.postgresql = { parameters: { max_slot_wal_keep_size: keep } }
  if (bootstrap.primary_stop_timeout !== undefined && bootstrap.primary_stop_timeout !== now.primary_stop_timeout) patch.primary_stop_timeout = bootstrap.primary_stop_timeout
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
