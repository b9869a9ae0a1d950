#!/usr/bin/env node
// The hello service's entry point: `npm start`. Configuration errors exit 2, start-up failures exit 1.
import { readFileSync } from 'node:fs'
import { loadConfig } from './config.js'
import { startService } from './service.js'

const USAGE = `usage: npm start   (node examples/hello-service/dist/main.js [--help] [--version])
It is configured by environment variables (README, "Configuration"); other arguments are ignored (a supervisor may tag
the process with one, as examples/ha-demo does):
  PORT, HOST, DATABASE_URL or PATRONI_URLS (with PGUSER, PGPASSWORD, PGDATABASE, PATRONI_USERNAME, PATRONI_PASSWORD,
  PATRONI_CA_FILE, PATRONI_CERT_FILE, PATRONI_KEY_FILE),
  LOG_LEVEL, DRAIN_DELAY_MS, SHUTDOWN_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS,
  BODY_LIMIT_BYTES, DB_POOL_MAX, DB_DEADLINE_MS, STARTUP_TIMEOUT_MS, LEAP_DAY_RULE, EMBEDDED_PG_DIR, EMBEDDED_PG_PORT
Without DATABASE_URL and PATRONI_URLS it starts an embedded PostgreSQL in .data/embedded-pg.`

const [arg] = process.argv.slice(2)
if (arg === '--help' || arg === '-h') {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}
if (arg === '--version') {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  process.stdout.write(`${version}\n`)
  process.exit(0)
}
const loaded = loadConfig(process.env)
if (!loaded.ok) {
  process.stderr.write(`hello-service: ${loaded.message}\n`)
  process.exit(2)
}
try {
  await startService(loaded.config)
} catch (error) {
  process.stderr.write(`hello-service: failed to start: ${String(error)}\n`)
  process.exit(1)
}
