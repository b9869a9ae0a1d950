/**
 * Coalesces concurrent lookups into one query.
 *
 * Why this is safe to do for reads that must never be stale: a lookup only
 * joins a batch that has not been sent yet, and a batch is sent on the next
 * turn of the event loop. So the query always starts after every request in
 * it arrived, and PostgreSQL (READ COMMITTED, on the leader) shows it every
 * write acknowledged before that. Nothing is cached between batches.
 */
export type FetchMany<V> = (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>

interface Waiter<V> {
  resolve(value: V | undefined): void
  reject(error: unknown): void
}

export class LookupBatcher<V> {
  readonly #fetchMany: FetchMany<V>
  readonly #maxBatchSize: number
  #pending = new Map<string, Waiter<V>[]>()
  #scheduled = false

  constructor(fetchMany: FetchMany<V>, options: { maxBatchSize?: number } = {}) {
    this.#fetchMany = fetchMany
    this.#maxBatchSize = options.maxBatchSize ?? 256
  }

  load(key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.#pending.get(key)
      if (waiters) waiters.push({ resolve, reject })
      else this.#pending.set(key, [{ resolve, reject }])
      if (this.#pending.size >= this.#maxBatchSize) this.#flush()
      else if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(this.#flush)
      }
    })
  }

  readonly #flush = (): void => {
    this.#scheduled = false
    if (this.#pending.size === 0) return
    const batch = this.#pending
    this.#pending = new Map()
    this.#fetchMany([...batch.keys()]).then(
      (found) => {
        for (const [key, waiters] of batch) {
          const value = found.get(key)
          for (const waiter of waiters) waiter.resolve(value)
        }
      },
      (error: unknown) => {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error)
      },
    )
  }
}
