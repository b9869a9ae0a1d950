import { readFile } from 'node:fs/promises'
import t from 'tap'
import { runCli } from '../src/cli-main.js'
import { USAGE } from '../src/cli-args.js'

// The commands that touch no cluster; the others run against a real one in test/integration/cli.ts.
async function run(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out, err }
}

t.test('--help prints the usage on stdout and exits 0', async (t) => {
  t.strictSame(await run(['--help']), { code: 0, out: [USAGE], err: [] })
})

t.test('--version prints the package version', async (t) => {
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  t.strictSame(await run(['--version']), { code: 0, out: [version], err: [] })
})

t.test('a usage error says what was wrong, then the usage, and exits 2', async (t) => {
  t.strictSame(await run(['launch']), { code: 2, out: [], err: [`error: unknown command "launch"\n${USAGE}`] })
})
