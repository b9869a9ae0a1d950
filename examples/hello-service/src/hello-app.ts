import { collectDefaultMetrics, Registry } from 'prom-client'
import { createApp, type App, type Logger } from '@birthday-ha/http-adapter'
import type { LeapDayRule } from '@birthday-ha/birthday-core'
import { BirthdayStore } from './birthday-store.js'
import type { Database } from './database.js'
import { registerDatabaseMetrics } from './database-metrics.js'
import { helloRoutes } from './hello-routes.js'
import { openApiRoute } from './openapi-route.js'
import { registerReadinessMetric } from './readiness-metric.js'

export interface HelloAppOptions {
  database: Database
  logger?: Logger
  bodyLimitBytes?: number
  leapDayRule?: LeapDayRule
  now?: () => number
  /** Bound on each database call of a request, waiting for a leader included (the service's DB_DEADLINE_MS). */
  dbTimeoutMs?: number
}

/**
 * The hello API as an http-adapter App: the routes, readiness from the database
 * (a confirmed, writable leader, also as the `hello_ready` gauge), the database client's failover
 * metrics, and `GET /openapi.json`.
 */
export function createHelloApp(options: HelloAppOptions): App {
  const { database } = options
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  registerDatabaseMetrics(registry, database)
  const readiness = async () => {
    await database.ping({ timeoutMs: 1_000 })
    return true
  }
  const app = createApp({
    routes: [
      ...helloRoutes({
        store: new BirthdayStore(database, { ...(options.dbTimeoutMs !== undefined && { timeoutMs: options.dbTimeoutMs }) }),
        ...(options.now && { now: options.now }),
        ...(options.leapDayRule && { leapDayRule: options.leapDayRule }),
      }),
      openApiRoute(),
    ],
    readiness,
    registry,
    ...(options.logger && { logger: options.logger }),
    ...(options.bodyLimitBytes !== undefined && { bodyLimitBytes: options.bodyLimitBytes }),
  })
  registerReadinessMetric(registry, async () => !app.draining && (await readiness()))
  return app
}
