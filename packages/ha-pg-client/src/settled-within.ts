/** `p`'s value if it resolves within `ms`, else undefined; the timer never outlives it. */
export async function settledWithin<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const value = await Promise.race([p, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))])
  clearTimeout(timer)
  return value
}
