import t from 'tap'
import { readFile } from 'node:fs/promises'
import { LOCAL_CLUSTER_ERROR_CODES } from '../src/errors.js'

t.test('the README lists every error code', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  for (const code of LOCAL_CLUSTER_ERROR_CODES) t.match(readme, `| \`${code}\` |`, code)
})
