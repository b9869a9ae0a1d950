import { readFile } from 'node:fs/promises'

/** Count and total self size of the heap objects of one kind (`<node type>:<constructor or name>`). */
export interface HeapGroup {
  readonly key: string
  readonly count: number
  readonly selfBytes: number
}

interface SnapshotJson {
  readonly snapshot: { readonly meta: { readonly node_fields: readonly string[]; readonly node_types: readonly unknown[] } }
  readonly nodes: readonly number[]
  readonly strings: readonly string[]
}

/** Groups the nodes of a V8 `.heapsnapshot` (parsed JSON) by type and name; strings and code are grouped by type only. */
export function summarizeHeapSnapshot(json: SnapshotJson): Map<string, HeapGroup> {
  const fields = json.snapshot.meta.node_fields
  const types = json.snapshot.meta.node_types[0] as readonly string[]
  const width = fields.length
  const [typeAt, nameAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size')]
  const groups = new Map<string, { key: string; count: number; selfBytes: number }>()
  for (let i = 0; i < json.nodes.length; i += width) {
    const type = types[json.nodes[i + typeAt] as number] ?? '?'
    const byName = type === 'object' || type === 'closure' || type === 'native'
    const key = byName ? `${type}:${json.strings[json.nodes[i + nameAt] as number] ?? '?'}` : type
    const g = groups.get(key) ?? { key, count: 0, selfBytes: 0 }
    g.count += 1
    g.selfBytes += json.nodes[i + sizeAt] as number
    groups.set(key, g)
  }
  return groups
}

/** The groups whose count grew most from `before` to `after` (at most `limit`, growth > 0). */
export function heapGrowth(before: Map<string, HeapGroup>, after: Map<string, HeapGroup>, limit = 25): { key: string; countDelta: number; bytesDelta: number; after: number }[] {
  return [...after.values()]
    .map((g) => ({ key: g.key, countDelta: g.count - (before.get(g.key)?.count ?? 0), bytesDelta: g.selfBytes - (before.get(g.key)?.selfBytes ?? 0), after: g.count }))
    .filter((d) => d.countDelta > 0)
    .sort((a, b) => b.countDelta - a.countDelta || a.key.localeCompare(b.key))
    .slice(0, limit)
}

/* c8 ignore start */ // file I/O wrapper for the heap probe, exercised by hand (examples/ha-demo/README.md)
export async function readHeapSnapshot(file: string): Promise<Map<string, HeapGroup>> {
  return summarizeHeapSnapshot(JSON.parse(await readFile(file, 'utf8')) as SnapshotJson)
}
/* c8 ignore stop */
