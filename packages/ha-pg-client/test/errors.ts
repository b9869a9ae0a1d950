import t from 'tap'
import { readFileSync } from 'node:fs'
import { HA_PG_ERROR_CODES, HaPgError } from '../src/errors.js'

t.test('HaPgError keeps code and cause', async (t) => {
  const cause = new Error('root')
  const err = new HaPgError('HAPG_NO_LEADER', 'none', { cause })
  t.equal(err.code, 'HAPG_NO_LEADER')
  t.equal(err.cause, cause)
  t.equal(err.name, 'HaPgError')
  t.ok(err instanceof Error)
})

t.test('every code is documented in the README', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const code of HA_PG_ERROR_CODES) t.match(readme, `\`${code}\``, code)
})
