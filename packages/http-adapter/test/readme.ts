import t from 'tap'
import { readFileSync } from 'node:fs'
import { errorCodes } from '../src/errors.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** Rows of the table under "## Error codes": code → status cell. */
function documentedCodes(): Map<string, string> {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Error codes\n'))
  const rows = new Map<string, string>()
  for (const match of (section ?? '').matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)) rows.set(match[1] as string, (match[2] as string).trim())
  return rows
}

t.test('the README lists exactly the catalogue codes, in order, with their statuses', async (t) => {
  const documented = documentedCodes()
  t.strictSame([...documented.keys()], Object.keys(errorCodes))
  for (const [code, { status }] of Object.entries(errorCodes)) {
    t.equal(documented.get(code), status === null ? 'any' : String(status), code)
  }
})

t.test('the README names every value export', async (t) => {
  const index = await import('../src/index.js')
  for (const name of Object.keys(index)) t.match(readme, new RegExp(`\`${name}\``), name)
})
