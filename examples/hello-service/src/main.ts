#!/usr/bin/env node
// The hello service's entry point: `npm start`. Configuration errors exit 2, start-up failures exit 1.
import { loadConfig } from './config.js'
import { startService } from './service.js'

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
