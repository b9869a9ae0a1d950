import t from 'tap'
import { readFile } from 'node:fs/promises'
import { RENDER_ERROR_CODES } from '../../src/render/index.js'

t.test('the render README lists every error code', async (t) => {
  const readme = await readFile(new URL('../../src/render/README.md', import.meta.url), 'utf8')
  for (const code of RENDER_ERROR_CODES) t.match(readme, `| \`${code}\` |`, code)
})
