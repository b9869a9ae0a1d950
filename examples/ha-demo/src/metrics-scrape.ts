import { httpGet } from './http-get.js'

/** Memory figures of one instance, from its `/metrics` (prom-client default metrics). */
export interface MemorySample {
  readonly rssBytes: number
  readonly heapUsedBytes: number
}

/** The value of an unlabelled sample `name` in Prometheus text, or undefined. */
export function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.slice(name.length + 1).trim().split(' ')[0])
}

/** `process_resident_memory_bytes` and `nodejs_heap_size_used_bytes` of a metrics text; undefined if either is missing. */
export function parseMemory(text: string): MemorySample | undefined {
  const rssBytes = metricValue(text, 'process_resident_memory_bytes')
  const heapUsedBytes = metricValue(text, 'nodejs_heap_size_used_bytes')
  return rssBytes === undefined || heapUsedBytes === undefined ? undefined : { rssBytes, heapUsedBytes }
}

/** Scrapes `http://127.0.0.1:<port>/metrics`; undefined when it does not answer 200 with both figures. */
export async function scrapeMemory(port: number): Promise<MemorySample | undefined> {
  const res = await httpGet(`http://127.0.0.1:${port}/metrics`, 2_000)
  return res.status === 200 ? parseMemory(res.body) : undefined
}
