import fc from 'fast-check'
import t from 'tap'
import { ISSUES, type IssueCode } from '../src/result.js'
import { codePointLength, parseUsername, usernameKey } from '../src/username.js'

const nfc = (s: string) => s.normalize('NFC')
const nfd = (s: string) => s.normalize('NFD')
const cps = (s: string) => Array.from(s).length

const codeOf = (raw: unknown): IssueCode | 'OK' => {
  const r = parseUsername(raw)
  return r.ok ? 'OK' : r.error.code
}
const valueOf = (raw: unknown) => {
  const r = parseUsername(raw)
  if (!r.ok) throw new Error(`expected a valid username, got ${r.error.code}`)
  return r.value
}

// Every letter and every combining mark in the running Unicode version.
const LETTERS: string[] = []
const MARKS: string[] = []
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue
  const ch = String.fromCodePoint(cp)
  if (/\p{L}/u.test(ch)) LETTERS.push(ch)
  else if (/\p{M}/u.test(ch)) MARKS.push(ch)
}
const pick = (list: string[]) => fc.integer({ min: 0, max: list.length - 1 }).map((i) => list[i] as string)
const asciiLetter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''))
const letter = fc.oneof(asciiLetter, pick(LETTERS))
// A letter followed by up to two combining marks: one "unit" of a valid name.
const letterWithMarks = fc
  .tuple(letter, fc.array(pick(MARKS), { maxLength: 2 }))
  .map(([l, marks]) => l + marks.join(''))

t.test('valid names: named cases', async (t) => {
  t.strictSame(valueOf('Zoë'), { name: 'Zoë', key: 'zoë' })
  t.strictSame(valueOf('alice'), { name: 'alice', key: 'alice' })
  t.strictSame(valueOf('Alice'), { name: 'Alice', key: 'alice' })
  for (const name of ['Ζωή', 'Иван', 'محمد', 'שלום', '李小龍', 'Ðorđe', 'Nguyễn', 'देवनागरी', 'สมชาย', 'Łukasz']) {
    t.equal(valueOf(name).name, name, name)
  }
  t.equal(valueOf('x').name, 'x', 'one letter is enough')
  t.equal(valueOf('oʼneil').name, 'oʼneil', 'U+02BC MODIFIER LETTER APOSTROPHE is a letter (Lm)')
  t.equal(valueOf('𐐀𝒜').key, '𐐨𝒜', 'astral letters, with an astral case mapping')
})

t.test('the value is frozen', async (t) => {
  t.ok(Object.isFrozen(valueOf('Zoë')))
})

t.test('"Zoe" + U+0308 is the same user as "Zoë", and its name is NFC', async (t) => {
  const composed = valueOf('Zo\u00eb')
  const decomposed = valueOf('Zoe\u0308')
  t.equal(decomposed.name, 'Zo\u00eb')
  t.equal(decomposed.key, composed.key)
  t.equal(valueOf('ZOE\u0308').key, composed.key, 'and case-insensitive')
  t.equal(valueOf('zOË').key, composed.key)
})

t.test('key: lower-cased, then NFC again', async (t) => {
  // "J" + caron has no precomposed capital, but lower-cased it composes to U+01F0.
  t.equal(valueOf('J\u030c').key, '\u01f0')
  t.equal(valueOf('\u01f0').key, '\u01f0')
  t.equal(valueOf('\u0130').key, 'i\u0307', 'U+0130 lower-cases to two code points')
  t.equal(valueOf('ΟΔΟΣ').key, 'οδος', 'toLowerCase applies the final-sigma rule')
  t.not(valueOf('ß').key, valueOf('SS').key, 'simple lower-casing, not full case folding')
})

t.test('invalid names from the issue', async (t) => {
  t.equal(codeOf('abc123'), 'USERNAME_INVALID_CHARACTERS')
  t.equal(codeOf('a_b'), 'USERNAME_INVALID_CHARACTERS')
  t.equal(codeOf('a b'), 'USERNAME_INVALID_CHARACTERS')
  t.equal(codeOf('a-b'), 'USERNAME_INVALID_CHARACTERS')
  t.equal(codeOf("o'neil"), 'USERNAME_INVALID_CHARACTERS')
  t.equal(codeOf(''), 'USERNAME_EMPTY')
  t.equal(codeOf('a'.repeat(65)), 'USERNAME_TOO_LONG')
  t.equal(codeOf('a'.repeat(64)), 'OK')
})

t.test('non-strings are USERNAME_NOT_A_STRING', async (t) => {
  for (const raw of [undefined, null, 42, 0, true, {}, [], ['alice'], new String('alice'), Symbol('a'), 10n, () => 'a']) {
    t.equal(codeOf(raw), 'USERNAME_NOT_A_STRING', typeof raw)
  }
})

t.test('invisible, control and other non-letter characters are invalid', async (t) => {
  const cases: Record<string, string> = {
    'leading combining mark': '\u0308abc',
    'only a combining mark': '\u0301',
    'NUL inside': 'a\u0000b',
    'NUL at the end': 'abc\u0000',
    'right-to-left mark': 'abc\u200f',
    'right-to-left override': '\u202eabc',
    'zero-width space': '\u200bab',
    'zero-width joiner': 'a\u200db',
    'zero-width non-joiner': 'a\u200cb',
    'byte order mark': '\ufeffabc',
    'soft hyphen': 'a\u00adb',
    'newline at the end': 'abc\n',
    'tab': 'a\tb',
    'no-break space': 'a\u00a0b',
    'lone high surrogate': '\ud800abc',
    'lone low surrogate': 'abc\udc00',
    'emoji': 'ab😀',
    'Arabic-Indic digit': 'ab\u0661',
    'Roman numeral (Nl, not L)': 'ab\u216b',
    'full stop': 'a.b',
    'at sign': 'a@b',
  }
  for (const [label, raw] of Object.entries(cases)) t.equal(codeOf(raw), 'USERNAME_INVALID_CHARACTERS', label)
})

t.test('length is at most 64 code points, counted after NFC', async (t) => {
  t.equal(codeOf('𝒜'.repeat(64)), 'OK', '64 astral letters are 128 UTF-16 units')
  t.equal(codeOf('𝒜'.repeat(65)), 'USERNAME_TOO_LONG')
  t.equal(codeOf('a' + '\u0301'.repeat(64)), 'OK', '65 code points raw, 64 after NFC composes á')
  t.equal(valueOf('a' + '\u0301'.repeat(64)).name, '\u00e1' + '\u0301'.repeat(63))
  t.equal(codeOf('a' + '\u0301'.repeat(65)), 'USERNAME_TOO_LONG')
  t.equal(codeOf('\u1100\u1161'.repeat(64)), 'OK', '128 Hangul jamo compose to 64 syllables')
  t.equal(valueOf('\u1100\u1161'.repeat(64)).name, '가'.repeat(64))
  t.equal(codeOf('\u1100\u1161'.repeat(65)), 'USERNAME_TOO_LONG')
  // U+0958 is a composition exclusion: NFC turns it into two code points.
  t.equal(codeOf('\u0958'.repeat(32)), 'OK')
  t.equal(codeOf('\u0958'.repeat(33)), 'USERNAME_TOO_LONG', '33 letters raw, 66 code points after NFC')
  const fourToOne = nfd('\u1f82') // the longest canonical decomposition: 4 code points
  t.equal(fourToOne.length, 4)
  t.equal(valueOf(fourToOne.repeat(64)).name, '\u1f82'.repeat(64), '256 UTF-16 units raw, 64 after NFC')
  t.equal(codeOf('a'.repeat(513)), 'USERNAME_TOO_LONG', 'past the raw guard')
  t.equal(codeOf('1'.repeat(100)), 'USERNAME_TOO_LONG', 'length is checked before characters')
})

t.test('the raw-length guard is sound: no code point decomposes to more than 4', async (t) => {
  let longest = 0
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue
    const n = cps(nfd(String.fromCodePoint(cp)))
    if (n > longest) longest = n
  }
  t.equal(longest, 4)
})

t.test('codePointLength counts surrogate pairs once and lone surrogates once', async (t) => {
  t.equal(codePointLength(''), 0)
  t.equal(codePointLength('abc'), 3)
  t.equal(codePointLength('𝒜𝒜'), 2)
  t.equal(codePointLength('\ud800'), 1)
  t.equal(codePointLength('\ud800\ud800\udc00'), 2)
  t.equal(codePointLength('a\udc00\ud800'), 3)
  t.equal(codePointLength('\ud800a'), 2)
})

t.test('property: letter strings are valid exactly when NFC has at most 64 code points', async (t) => {
  fc.assert(
    fc.property(fc.array(letter, { minLength: 1, maxLength: 70 }), (letters) => {
      const raw = letters.join('')
      const r = parseUsername(raw)
      if (cps(nfc(raw)) > 64) return !r.ok && r.error.code === 'USERNAME_TOO_LONG'
      return r.ok && r.value.name === nfc(raw) && r.value.key === nfc(nfc(raw).toLowerCase())
    }),
    { numRuns: 3000 },
  )
  t.pass('holds')
})

t.test('property: letters with combining marks are valid; name and key are NFC', async (t) => {
  fc.assert(
    fc.property(fc.array(letterWithMarks, { minLength: 1, maxLength: 20 }), (units) => {
      const raw = units.join('')
      fc.pre(cps(nfc(raw)) <= 64)
      const u = valueOf(raw)
      return u.name === nfc(u.name) && u.key === nfc(u.key) && u.name === nfc(raw)
    }),
    { numRuns: 2000 },
  )
  t.pass('holds')
})

t.test('property: key(NFD(x)) == key(NFC(x)) == key(x)', async (t) => {
  fc.assert(
    fc.property(fc.array(letterWithMarks, { minLength: 1, maxLength: 20 }), (units) => {
      const raw = units.join('')
      fc.pre(cps(nfc(raw)) <= 64)
      const key = valueOf(raw).key
      return valueOf(nfd(raw)).key === key && valueOf(nfc(raw)).key === key && valueOf(raw).name === valueOf(nfd(raw)).name
    }),
    { numRuns: 2000 },
  )
  t.pass('holds')
})

t.test('property: the key is idempotent', async (t) => {
  fc.assert(
    fc.property(fc.array(letterWithMarks, { minLength: 1, maxLength: 30 }), (units) => {
      const raw = units.join('')
      fc.pre(cps(nfc(raw)) <= 64)
      const { key } = valueOf(raw)
      const again = parseUsername(key)
      // The key may outgrow 64 code points (U+0130 lower-cases to 2), and
      // then it is no longer a valid name itself.
      return usernameKey(key) === key && (!again.ok || again.value.key === key)
    }),
    { numRuns: 2000 },
  )
  t.equal(usernameKey(valueOf('\u0130'.repeat(64)).key), 'i\u0307'.repeat(64))
  t.equal(codeOf(valueOf('\u0130'.repeat(64)).key), 'USERNAME_TOO_LONG')
})

t.test('exhaustive: every single letter is valid and its key is idempotent', async (t) => {
  const bad = LETTERS.filter((l) => {
    const r = parseUsername(l)
    return !r.ok || usernameKey(r.value.key) !== r.value.key
  })
  t.strictSame(bad, [])
})

t.test('property: ASCII names are case-insensitive', async (t) => {
  fc.assert(
    fc.property(fc.array(asciiLetter, { minLength: 1, maxLength: 64 }), (letters) => {
      const raw = letters.join('')
      const key = valueOf(raw).key
      return key === raw.toLowerCase() && valueOf(raw.toUpperCase()).key === key
    }),
    { numRuns: 1000 },
  )
  t.pass('holds')
})

t.test('property: a digit, space, punctuation or control character makes a name invalid', async (t) => {
  const intruder = fc.oneof(
    fc.constantFrom(...'0123456789 _-\'.,@\t\n\u0000\u00a0\u200b\u200f\u202e\u2028\ufeff\u0661\u00b2'.split('')),
    fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)).filter((c) => !/[\p{L}\p{M}]/u.test(c)),
  )
  fc.assert(
    fc.property(
      // At most 31 letters: even if each doubles under NFC, it stays <= 64.
      fc.array(letter, { maxLength: 15 }),
      intruder,
      fc.array(letter, { maxLength: 15 }),
      (before, bad, after) => codeOf(before.join('') + bad + after.join('')) === 'USERNAME_INVALID_CHARACTERS',
    ),
    { numRuns: 3000 },
  )
  t.pass('holds')
})

t.test('property: a name that starts with a combining mark is invalid', async (t) => {
  fc.assert(
    fc.property(pick(MARKS), fc.array(letter, { maxLength: 30 }), (mark, letters) => {
      return codeOf(mark + letters.join('')) === 'USERNAME_INVALID_CHARACTERS'
    }),
    { numRuns: 1000 },
  )
  t.pass('holds')
})

t.test('property: any input returns a Result and never throws', async (t) => {
  const codes = new Set(['OK', ...Object.keys(ISSUES)])
  // Any code point, surrogates included (alone, they are lone surrogates).
  // Like fc.string({ unit: 'binary' }), which takes a second to set up.
  const anyCodeUnitOrPoint = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp))
  for (const arb of [
    fc.anything({ maxDepth: 1 }),
    fc.string({ unit: anyCodeUnitOrPoint, maxLength: 600 }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
  ]) {
    fc.assert(fc.property(arb, (raw) => codes.has(codeOf(raw))), { numRuns: 1000 })
  }
  t.pass('holds')
})
