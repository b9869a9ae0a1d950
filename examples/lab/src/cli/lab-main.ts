#!/usr/bin/env node
/* c8 ignore start */ // the entry point of `npm run lab`; runLabCli and parseLabArgs are unit-tested
import { readFileSync } from 'node:fs'
import { labCommands } from './lab-commands.js'
import { runLabCli, type CliIo } from './lab-cli.js'
import { labIdFromEnv } from './lab-session.js'

const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
process.exitCode = await runLabCli(process.argv.slice(2), io, { version, run: labCommands(labIdFromEnv(), io) })
/* c8 ignore stop */
