const A = 'a'.charCodeAt(0)

/**
 * Bijective base-26 in lowercase letters: 0 → `a`, 25 → `z`, 26 → `aa`, …. Usernames must match
 * `\p{L}+`, so counters are spelled in letters; lowercase keeps the stored key equal to the name.
 */
export function lettersFor(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`lettersFor needs a non-negative integer, got ${n}`)
  let out = ''
  for (let k = n + 1; k > 0; k = Math.floor((k - 1) / 26)) out = String.fromCharCode(A + ((k - 1) % 26)) + out
  return out
}

/** `length` random lowercase letters, a run tag so runs and scenarios never share usernames. */
export function randomLetters(length: number, random: () => number = Math.random): string {
  return Array.from({ length }, () => String.fromCharCode(A + Math.floor(random() * 26))).join('')
}

const BASE_DAY = Date.UTC(1930, 0, 1) / 86_400_000

/**
 * The date of birth of the `k`-th PUT: spread over 1930–1995 (a prime stride), so consecutive
 * PUTs to one user always differ and a stale or lost value shows up on read-back.
 */
export function dateForPut(k: number): string {
  const day = BASE_DAY + ((k * 7919) % 24_000)
  return new Date(day * 86_400_000).toISOString().slice(0, 10)
}
