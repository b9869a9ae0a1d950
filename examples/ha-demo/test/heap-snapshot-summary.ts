import t from 'tap'
import { heapGrowth, summarizeHeapSnapshot } from '../src/heap-snapshot-summary.js'

// The shape V8 writes (`node_fields`, `node_types[0]` = the type names), with 3 fields per node here.
const snapshot = (nodes: number[]) => ({
  snapshot: { meta: { node_fields: ['type', 'name', 'self_size'], node_types: [['hidden', 'object', 'closure', 'string', 'native'], 'string'] } },
  nodes,
  strings: ['Pool', 'Client', 'onError', 'abc'],
})

t.test('groups objects, closures and natives by name, other types by type', async (t) => {
  const g = summarizeHeapSnapshot(snapshot([1, 0, 100, 1, 0, 60, 1, 1, 40, 2, 2, 32, 3, 3, 24, 3, 0, 16, 4, 1, 8, 9, 0, 1]))
  t.strictSame(Object.fromEntries([...g].map(([k, v]) => [k, [v.count, v.selfBytes]])), {
    'object:Pool': [2, 160], 'object:Client': [1, 40], 'closure:onError': [1, 32], string: [2, 40], 'native:Client': [1, 8], '?': [1, 1],
  })
})

t.test('an out-of-range name index is named ?', async (t) => {
  t.ok(summarizeHeapSnapshot(snapshot([1, 99, 4])).has('object:?'))
})

t.test('heapGrowth lists the groups that grew, most first', async (t) => {
  const before = summarizeHeapSnapshot(snapshot([1, 0, 100, 1, 1, 40, 1, 1, 40]))
  const after = summarizeHeapSnapshot(snapshot([1, 0, 100, 1, 0, 100, 1, 0, 100, 1, 1, 40, 2, 2, 32, 3, 3, 8]))
  t.strictSame(heapGrowth(before, after), [
    { key: 'object:Pool', countDelta: 2, bytesDelta: 200, after: 3 },
    { key: 'closure:onError', countDelta: 1, bytesDelta: 32, after: 1 },
    { key: 'string', countDelta: 1, bytesDelta: 8, after: 1 },
  ])
  t.equal(heapGrowth(before, after, 1).length, 1)
})
