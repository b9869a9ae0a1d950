/**
 * A structured logger: each call writes one JSON line. Any object of this shape works
 * (e.g. a pino logger).
 *
 * @example
 * ```ts
 * logger.warn({ err, attempt: 3 }, 'retrying')
 * ```
 */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  /** A logger that adds `bindings` to every line. */
  child(bindings: object): Logger
}

/**
 * The levels of {@link createLogger}; `silent` writes nothing.
 *
 * @example
 * ```ts
 * const level: LogLevel = process.env['LOG_LEVEL'] === 'debug' ? 'debug' : 'info'
 * ```
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

/**
 * Options of {@link createLogger}.
 *
 * @example
 * ```ts
 * const lines: string[] = []
 * const options: LoggerOptions = { level: 'debug', write: (line) => lines.push(line), now: () => 0 }
 * ```
 */
export interface LoggerOptions {
  /** Lowest level written; default `info`. */
  readonly level?: LogLevel
  /**
   * Receives each line, without the trailing newline. Default: stdout, batched: the
   * lines of one event-loop turn go out in one write (at the latest on process 'exit').
   */
  readonly write?: (line: string) => void
  /** Clock for the `time` field (epoch milliseconds); default `Date.now`. */
  readonly now?: () => number
}

const levelValues = { debug: 20, info: 30, warn: 40, error: 50, silent: Number.POSITIVE_INFINITY } as const

/** Header and field names whose values never reach a log line, compared lower-cased. */
const redactedKeys: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
])

/** Lines waiting for the next event-loop turn; one write per turn instead of one per line. */
let pending = ''
let flushScheduled = false
let exitHookInstalled = false
const flushThreshold = 65_536

/** Writes the pending lines to stdout now. Also runs on process 'exit', where stdout writes are synchronous. */
export function flushStdout(): void {
  flushScheduled = false
  if (pending === '') return
  const chunk = pending
  pending = ''
  process.stdout.write(chunk)
}

function writeStdout(line: string): void {
  pending += line + '\n'
  if (pending.length >= flushThreshold) {
    flushStdout()
  } else if (!flushScheduled) {
    flushScheduled = true
    setImmediate(flushStdout)
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.on('exit', flushStdout)
  }
}

function serializeError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: err.message, stack: err.stack }
  const code = (err as { code?: unknown }).code
  if (code !== undefined) out['code'] = code
  if (err.cause !== undefined) out['cause'] = err.cause
  return out
}

/** JSON.stringify replacer: errors as objects, bigints as strings, secrets redacted. */
function replacer(key: string, value: unknown): unknown {
  if (redactedKeys.has(key.toLowerCase())) return '[REDACTED]'
  if (value instanceof Error) return serializeError(value)
  if (typeof value === 'bigint') return value.toString()
  return value
}

/** `{"a":1}` → `,"a":1`; `{}` → `` */
function fields(obj: object): string {
  const json = needsReplacer(obj) ? JSON.stringify(obj, replacer) : JSON.stringify(obj)
  return json.length > 2 ? ',' + json.slice(1, -1) : ''
}

/** Flat objects of strings and numbers with no secret keys (an access log line) skip the replacer, which costs most of a line. */
function needsReplacer(obj: object): boolean {
  for (const key in obj) {
    const value = (obj as Record<string, unknown>)[key]
    const type = typeof value
    if ((type === 'object' && value !== null) || type === 'bigint' || redactedKeys.has(key.toLowerCase())) return true
  }
  return false
}

class JsonLogger implements Logger {
  readonly #level: number
  readonly #write: (line: string) => void
  readonly #now: () => number
  readonly #bindings: string

  constructor(level: number, write: (line: string) => void, now: () => number, bindings: string) {
    this.#level = level
    this.#write = write
    this.#now = now
    this.#bindings = bindings
  }

  debug(obj: object, msg?: string): void {
    if (this.#level <= 20) this.#log('debug', obj, msg)
  }

  info(obj: object, msg?: string): void {
    if (this.#level <= 30) this.#log('info', obj, msg)
  }

  warn(obj: object, msg?: string): void {
    if (this.#level <= 40) this.#log('warn', obj, msg)
  }

  error(obj: object, msg?: string): void {
    if (this.#level <= 50) this.#log('error', obj, msg)
  }

  /** Whether a line at `level` would be written. */
  enabled(level: 'debug' | 'info'): boolean {
    return this.#level <= levelValues[level]
  }

  child(bindings: object): Logger {
    return new JsonLogger(this.#level, this.#write, this.#now, this.#bindings + safeFields(bindings))
  }

  #log(level: string, obj: object, msg: string | undefined): void {
    const head = `{"time":${String(this.#now())},"level":"${level}"` +
      (msg === undefined ? '' : ',"msg":' + JSON.stringify(msg))
    this.#write(head + this.#bindings + safeFields(obj) + '}')
  }
}

/**
 * Whether `logger` writes lines at `level`; always true for loggers from elsewhere.
 * Lets the request path skip building fields nobody will read.
 */
export function isLevelEnabled(logger: Logger, level: 'debug' | 'info'): boolean {
  return !(logger instanceof JsonLogger) || logger.enabled(level)
}

/** Logging must never throw: circular or otherwise unserializable objects are replaced. */
function safeFields(obj: object): string {
  try {
    return fields(obj)
  } catch {
    return ',"logError":"unserializable log fields"'
  }
}

/**
 * Creates a logger that writes one JSON object per line: `time` (epoch ms), `level`,
 * `msg`, then the bindings and fields. Errors are serialized with their stack;
 * `authorization`, `cookie`, `set-cookie`, `proxy-authorization` and `password` are redacted.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: 'debug' })
 * log.child({ component: 'db' }).info({ pool: 4 }, 'pool ready')
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const name = options.level ?? 'info'
  if (!Object.hasOwn(levelValues, name)) throw new TypeError(`unknown log level: ${String(name)}`)
  const level = levelValues[name]
  return new JsonLogger(level, options.write ?? writeStdout, options.now ?? Date.now, '')
}
