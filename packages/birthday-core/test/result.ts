import { readFile } from 'node:fs/promises'
import t from 'tap'
import { ISSUES, fail, ok, type IssueCode } from '../src/result.js'

const codes = Object.keys(ISSUES) as IssueCode[]

t.test('the catalogue holds exactly the stable issue codes', async (t) => {
  t.strictSame([...codes].sort(), [
    'DOB_FORMAT',
    'DOB_NOT_A_DATE',
    'DOB_NOT_A_STRING',
    'DOB_NOT_IN_PAST',
    'DOB_TOO_EARLY',
    'TIME_ZONE_UNKNOWN',
    'USERNAME_EMPTY',
    'USERNAME_INVALID_CHARACTERS',
    'USERNAME_NOT_A_STRING',
    'USERNAME_TOO_LONG',
  ])
})

t.test('each code maps to its field by prefix', async (t) => {
  const fieldOf = (code: string) =>
    code.startsWith('USERNAME_') ? 'username' : code.startsWith('DOB_') ? 'dateOfBirth' : 'timeZone'
  for (const code of codes) t.equal(ISSUES[code].field, fieldOf(code), code)
})

t.test('each message is one clear sentence', async (t) => {
  for (const code of codes) {
    const { message } = ISSUES[code]
    // Starts with "The", and its only full stop ends it.
    t.match(message, /^The [^.!?]*\.$/, code)
    t.ok(message.length < 120, `${code} is short`)
  }
  t.equal(ISSUES.USERNAME_TOO_LONG.message, 'The username must be at most 64 characters long.')
  t.equal(ISSUES.DOB_TOO_EARLY.message, 'The date of birth must not be before 1900-01-01.')
})

t.test('fail() returns one shared frozen failure per code', async (t) => {
  for (const code of codes) {
    const failure = fail(code)
    t.equal(failure, fail(code), 'shared')
    t.strictSame(failure, { ok: false, error: { code, ...ISSUES[code] } })
    t.ok(Object.isFrozen(failure) && Object.isFrozen(failure.error), 'frozen')
  }
})

t.test('ok() wraps a value', async (t) => {
  t.strictSame(ok(42), { ok: true, value: 42 })
})

t.test('the README lists every issue code with its field and exact message', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  for (const code of codes) {
    const { field, message } = ISSUES[code]
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\` |`))
    t.ok(row, `${code} has a row`)
    t.match(row ?? '', `| \`${field}\` |`, `${code} field`)
    t.ok(row?.endsWith(`| ${message} |`), `${code} message`)
  }
})
