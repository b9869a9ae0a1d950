import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { metricValue, parseMemory, scrapeMemory } from '../src/metrics-scrape.js'

const TEXT = [
  '# HELP process_resident_memory_bytes Resident memory size in bytes.',
  '# TYPE process_resident_memory_bytes gauge',
  'process_resident_memory_bytes 83525632',
  'nodejs_heap_size_used_bytes 12345678 1700000000000',
  'nodejs_heap_size_used_bytes_other 1',
  'nodejs_heap_space_size_used_bytes{space="new"} 1',
].join('\n')

t.test('parses the two gauges', async (t) => {
  t.equal(metricValue(TEXT, 'process_resident_memory_bytes'), 83_525_632)
  t.equal(metricValue(TEXT, 'nope'), undefined)
  t.strictSame(parseMemory(TEXT), { rssBytes: 83_525_632, heapUsedBytes: 12_345_678 })
  t.equal(parseMemory('process_resident_memory_bytes 1'), undefined)
})

t.test('scrapes a metrics endpoint', async (t) => {
  let status = 200
  const server = createServer((_, res) => { res.writeHead(status); res.end(TEXT) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const port = (server.address() as AddressInfo).port
  t.strictSame(await scrapeMemory(port), { rssBytes: 83_525_632, heapUsedBytes: 12_345_678 })
  status = 500
  t.equal(await scrapeMemory(port), undefined)
})
