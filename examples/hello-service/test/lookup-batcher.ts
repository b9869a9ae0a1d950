import t from 'tap'
import { LookupBatcher } from '../src/lookup-batcher.js'

t.test('concurrent lookups share one fetch, and each key is asked once', async (t) => {
  const calls: string[][] = []
  const batcher = new LookupBatcher<number>(async (keys) => {
    calls.push([...keys])
    return new Map(keys.filter((key) => key !== 'missing').map((key) => [key, key.length]))
  })
  const results = await Promise.all([batcher.load('a'), batcher.load('bb'), batcher.load('a'), batcher.load('missing')])
  t.strictSame(results, [1, 2, 1, undefined])
  t.strictSame(calls, [['a', 'bb', 'missing']])
})

t.test('a lookup made after a batch was sent waits for a new fetch (no stale joins)', async (t) => {
  let version = 1
  const batcher = new LookupBatcher<number>(async (keys) => {
    const seen = version
    await new Promise((resolve) => setTimeout(resolve, 10))
    return new Map(keys.map((key) => [key, seen]))
  })
  const first = batcher.load('k')
  await new Promise((resolve) => setImmediate(resolve)) // the first batch is now in flight
  version = 2 // a write acknowledged before the second lookup starts
  const second = batcher.load('k')
  t.equal(await first, 1)
  t.equal(await second, 2)
})

t.test('a full batch is sent at once', async (t) => {
  const sizes: number[] = []
  const batcher = new LookupBatcher<string>(
    async (keys) => {
      sizes.push(keys.length)
      return new Map(keys.map((key) => [key, key]))
    },
    { maxBatchSize: 2 },
  )
  await Promise.all(['a', 'b', 'c'].map((key) => batcher.load(key)))
  t.strictSame(sizes, [2, 1])
})

t.test('a failed fetch rejects every lookup in its batch', async (t) => {
  const batcher = new LookupBatcher<number>(async () => {
    throw new Error('down')
  })
  const results = await Promise.allSettled([batcher.load('a'), batcher.load('a'), batcher.load('b')])
  t.strictSame(
    results.map((result) => result.status),
    ['rejected', 'rejected', 'rejected'],
  )
})
