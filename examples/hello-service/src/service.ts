import { createLogger, serve, type Logger, type RunningServer } from '@birthday-ha/http-adapter'
import type { Config } from './config.js'
import { openDatabase, type Database, type DatabaseTarget } from './database.js'
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js'
import { createHelloApp } from './hello-app.js'
import { migrate } from './migrations.js'
import { assertPatroniReachable } from './patroni-reachable.js'

export interface ServiceOptions {
  logger?: Logger
  now?: () => number
  /** Passed to serve(): tests inject these to keep the process alive. */
  signals?: NodeJS.Signals[] | false
  exit?: (code: number) => void
}

/** Where migrations run (they need DDL rights) and where the service's own role connects. */
interface Targets {
  admin: DatabaseTarget
  app: DatabaseTarget
  grantTo?: string
  embedded?: EmbeddedDatabase
}

async function resolveTargets(config: Config, logger: Logger): Promise<Targets> {
  if (config.patroni) {
    const { urls, user, password, database, auth, tls } = config.patroni
    // The app role owns its database on the cluster, so it runs its own migrations on the leader.
    await assertPatroniReachable(urls, { ...(tls && { tls }) })
    const target = { patroniUrls: urls, user, password, database, ...(auth && { patroniAuth: auth }), ...(tls && { patroniTls: tls }) }
    return { admin: target, app: target }
  }
  if (config.databaseUrl !== undefined) {
    const target = { connectionString: config.databaseUrl }
    return { admin: target, app: target }
  }
  const embedded = await startEmbeddedPostgres({
    dir: config.embeddedPgDir,
    port: config.embeddedPgPort,
    log: (message) => logger.debug({ component: 'postgres' }, message),
  })
  logger.info({ port: config.embeddedPgPort }, 'embedded PostgreSQL started')
  return {
    admin: { connectionString: embedded.adminUrl },
    app: { connectionString: embedded.appUrl },
    grantTo: embedded.appRole,
    embedded,
  }
}

/** Starts the hello service as configured: database (embedded, DATABASE_URL or Patroni), migrations, HTTP. */
export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.logLevel })
  let targets: Targets | undefined
  let database: Database | undefined
  const closeDatabase = async () => {
    await database?.close()
    await targets?.embedded?.stop()
  }
  try {
    targets = await resolveTargets(config, logger)
    // The database may come up after us: the migration waits for it up to STARTUP_TIMEOUT_MS.
    const admin = openDatabase(targets.admin, { max: 1, deadlineMs: config.startupTimeoutMs })
    admin.on('retry', ({ code, delayMs }) => logger.warn({ code, retryInMs: delayMs }, 'database not reachable yet'))
    try {
      const grant = targets.grantTo === undefined ? {} : { grantTo: targets.grantTo }
      const applied = await migrate(admin, grant)
      if (applied.length > 0) logger.info({ versions: applied }, 'schema migrated')
    } finally {
      await admin.close()
    }
    database = openDatabase(targets.app, { max: config.dbPoolMax, deadlineMs: config.dbDeadlineMs, logger })
    const { rows } = await database.query<{ rolsuper: boolean }>(
      'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
    )
    if (rows[0]?.rolsuper) logger.warn({}, 'the service connects as a superuser: give it its own role')
    const app = createHelloApp({
      database,
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
      leapDayRule: config.leapDayRule,
      dbTimeoutMs: config.dbDeadlineMs,
      ...(options.now && { now: options.now }),
    })
    const server = await serve(app, {
      port: config.port,
      host: config.host,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      headersTimeoutMs: config.headersTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      // Nothing routes to the embedded database's laptop: no load balancer to wait for, so Ctrl-C is quick.
      drainDelayMs: targets.embedded === undefined ? config.drainDelayMs : 0,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      onClose: closeDatabase,
      logger,
      ...(options.signals !== undefined && { signals: options.signals }),
      ...(options.exit && { exit: options.exit }),
    })
    logger.info({ url: server.url }, 'hello service listening')
    return server
  } catch (error) {
    await closeDatabase().catch(() => {})
    throw error
  }
}
