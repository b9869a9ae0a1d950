import { readFile } from 'node:fs/promises'
import t from 'tap'
import { BIRTHDAY_ERROR_CODES, BirthdayError } from '../src/errors.js'

t.test('BirthdayError carries a stable code, a name and the cause', async (t) => {
  const cause = new Error('root')
  const err = new BirthdayError('BIRTHDAY_INVALID_DATE', 'today must be a date.', { cause })
  t.ok(err instanceof Error)
  t.equal(err.code, 'BIRTHDAY_INVALID_DATE')
  t.equal(err.name, 'BirthdayError')
  t.equal(err.message, 'today must be a date.')
  t.equal(err.cause, cause)
  t.match(String(err.stack), /^BirthdayError: today must be a date\./)
})

t.test('without options there is no cause', async (t) => {
  const err = new BirthdayError('BIRTHDAY_INVALID_DAYS', 'x')
  t.notOk('cause' in err)
})

t.test('the code list is exactly the documented set', async (t) => {
  t.strictSame(
    [...BIRTHDAY_ERROR_CODES].sort(),
    ['BIRTHDAY_INVALID_CLOCK', 'BIRTHDAY_INVALID_DATE', 'BIRTHDAY_INVALID_DAYS', 'BIRTHDAY_INVALID_OPTION'],
  )
})

t.test('the README lists every BirthdayError code', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  for (const code of BIRTHDAY_ERROR_CODES) t.match(readme, `\n| \`${code}\` |`, code)
})
