import { open } from 'node:fs/promises'

/** One full (mark-compact) collection as `node --trace-gc` prints it: the heap before and after, in MB. */
export interface MajorGc {
  readonly beforeMb: number
  readonly afterMb: number
  /** `Mark-Compact (reduce)`: a memory-reducing collection (idle or low memory). */
  readonly reduce: boolean
}

const MAJOR = /: Mark-Compact( \(reduce\))? ([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/

/**
 * The full collections in `--trace-gc` output (scavenges are ignored). The heap right after a full
 * collection is the live heap: its trend separates growth from garbage not yet collected.
 */
export function parseMajorGcs(text: string): MajorGc[] {
  return text.split('\n').flatMap((line) => {
    const m = MAJOR.exec(line)
    return m === null ? [] : [{ beforeMb: Number(m[2]), afterMb: Number(m[3]), reduce: m[1] !== undefined }]
  })
}

/**
 * Reads what was appended to `file` since the last call: a follower of an instance's log, for the
 * `--trace-gc` lines. A missing file reads as empty. Lines cut at the end are kept for the next call.
 */
export class LogFollower {
  readonly #file: string
  #offset = 0
  #partial = ''

  constructor(file: string) {
    this.#file = file
  }

  async read(): Promise<string> {
    const handle = await open(this.#file, 'r').catch(() => undefined)
    if (handle === undefined) return ''
    try {
      const { size } = await handle.stat()
      const buffer = Buffer.alloc(Math.max(0, size - this.#offset))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.#offset)
      this.#offset += bytesRead
      const text = this.#partial + buffer.subarray(0, bytesRead).toString('utf8')
      const cut = text.lastIndexOf('\n') + 1
      this.#partial = text.slice(cut)
      return text.slice(0, cut)
    } finally {
      await handle.close()
    }
  }
}
