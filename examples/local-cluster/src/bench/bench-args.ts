import { readFileSync } from 'node:fs'

/**
 * A benchmark's command line: `--help`/`-h` prints `usage`, `--version` the package's version, and both
 * exit 0; any other argument exits 2 with the usage (benchmarks are configured by the environment).
 */
export function handleBenchArgs(usage: string, args: readonly string[] = process.argv.slice(2)): void {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`)
    process.exit(0)
  }
  if (args.includes('--version')) {
    process.stdout.write(`${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`)
    process.exit(0)
  }
  if (args.length > 0) {
    process.stderr.write(`unknown argument ${JSON.stringify(args[0])}\n${usage}\n`)
    process.exit(2)
  }
}
