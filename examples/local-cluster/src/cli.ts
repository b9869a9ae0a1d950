#!/usr/bin/env node
// Entry point of `npm run cluster -- <command>`; all logic is in cli-main.ts (tested in-process).
import { runCli } from './cli-main.js'

/* c8 ignore next 4 */ // runs only as the CLI subprocess, which test/integration/cli.ts spawns end to end
process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
})
