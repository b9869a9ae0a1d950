import t from 'tap'
import { dateForPut, lettersFor, randomLetters } from '../src/usernames.js'

t.test('lettersFor is bijective base-26 in letters only', async (t) => {
  t.strictSame([0, 1, 25, 26, 27, 701, 702].map(lettersFor), ['a', 'b', 'z', 'aa', 'ab', 'zz', 'aaa'])
  const seen = new Set(Array.from({ length: 5000 }, (_, i) => lettersFor(i)))
  t.equal(seen.size, 5000)
  for (const name of seen) t.match(name, /^\p{L}+$/u)
  t.throws(() => lettersFor(-1), RangeError)
  t.throws(() => lettersFor(1.5), RangeError)
})

t.test('randomLetters uses the injected source', async (t) => {
  t.equal(randomLetters(3, () => 0), 'aaa')
  t.equal(randomLetters(2, () => 0.999), 'zz')
  t.match(randomLetters(8), /^[a-z]{8}$/)
})

t.test('dateForPut: valid past dates, consecutive ones differ', async (t) => {
  for (let k = 0; k < 2000; k++) {
    const d = dateForPut(k)
    t.match(d, /^(19[3-9]\d)-\d\d-\d\d$/)
    if (k > 0 && d === dateForPut(k - 1)) t.fail(`dates ${k - 1} and ${k} are equal`)
  }
  t.equal(dateForPut(0), '1930-01-01')
})
