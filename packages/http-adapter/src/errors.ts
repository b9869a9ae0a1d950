import { STATUS_CODES } from 'node:http'

/**
 * The catalogue of error codes this package produces, with their HTTP status.
 * `status: null` marks the fallback code whose status is whatever the error was
 * created with. The README lists the same codes; a test keeps the two in sync.
 *
 * @example
 * ```ts
 * if (problem.code === errorCodes.HTTP_NOT_FOUND.code) console.log('no such route')
 * ```
 */
export const errorCodes = {
  HTTP_BAD_REQUEST: { code: 'HTTP_BAD_REQUEST', status: 400, summary: 'Malformed request: bad percent-encoding in the path, malformed HTTP, or an incomplete body.' },
  HTTP_BAD_JSON: { code: 'HTTP_BAD_JSON', status: 400, summary: 'The JSON body is empty, not valid UTF-8, not valid JSON, or not a JSON object.' },
  HTTP_NOT_FOUND: { code: 'HTTP_NOT_FOUND', status: 404, summary: 'No route matches the path.' },
  HTTP_METHOD_NOT_ALLOWED: { code: 'HTTP_METHOD_NOT_ALLOWED', status: 405, summary: 'The path exists but not for this method; the `Allow` header lists the methods.' },
  HTTP_REQUEST_TIMEOUT: { code: 'HTTP_REQUEST_TIMEOUT', status: 408, summary: 'The client did not send the headers or the whole request in time.' },
  HTTP_PAYLOAD_TOO_LARGE: { code: 'HTTP_PAYLOAD_TOO_LARGE', status: 413, summary: 'The body is larger than `bodyLimitBytes`; the connection is closed.' },
  HTTP_UNSUPPORTED_MEDIA_TYPE: { code: 'HTTP_UNSUPPORTED_MEDIA_TYPE', status: 415, summary: 'The body is not `application/json` (or `+json`), or it is content-encoded.' },
  HTTP_HEADERS_TOO_LARGE: { code: 'HTTP_HEADERS_TOO_LARGE', status: 431, summary: 'The request headers exceed the server limit.' },
  HTTP_INTERNAL: { code: 'HTTP_INTERNAL', status: 500, summary: 'An unexpected error; the response has a generic detail, the log has the error.' },
  HTTP_UNAVAILABLE: { code: 'HTTP_UNAVAILABLE', status: 503, summary: 'Default code of an `HttpError(503)` thrown without a code.' },
  HTTP_NOT_READY: { code: 'HTTP_NOT_READY', status: 503, summary: '`GET /readyz` while draining, or when the readiness check fails, throws or times out.' },
  HTTP_ERROR: { code: 'HTTP_ERROR', status: null, summary: 'Default code of an `HttpError` whose status has no code of its own.' },
} as const

/**
 * One of the package's own error codes.
 *
 * @example
 * ```ts
 * const code: ErrorCode = 'HTTP_NOT_FOUND'
 * ```
 */
export type ErrorCode = keyof typeof errorCodes

const defaultCodeByStatus: ReadonlyMap<number, ErrorCode> = new Map([
  [400, 'HTTP_BAD_REQUEST'],
  [404, 'HTTP_NOT_FOUND'],
  [405, 'HTTP_METHOD_NOT_ALLOWED'],
  [408, 'HTTP_REQUEST_TIMEOUT'],
  [413, 'HTTP_PAYLOAD_TOO_LARGE'],
  [415, 'HTTP_UNSUPPORTED_MEDIA_TYPE'],
  [431, 'HTTP_HEADERS_TOO_LARGE'],
  [500, 'HTTP_INTERNAL'],
  [503, 'HTTP_UNAVAILABLE'],
])

/**
 * Options of {@link HttpError}; every field is optional.
 *
 * @example
 * ```ts
 * const options: HttpErrorOptions = { code: 'HELLO_BAD_DATE', detail: 'dateOfBirth must be before today' }
 * ```
 */
export interface HttpErrorOptions {
  /** Short, human-readable summary; default: the HTTP reason phrase. */
  readonly title?: string
  /** Explanation specific to this occurrence; sent to the client, so no secrets. */
  readonly detail?: string
  /** A URI identifying the problem type; default `about:blank`. */
  readonly type?: string
  /** Extra response headers, e.g. `{ 'Retry-After': '5' }`. */
  readonly headers?: Readonly<Record<string, string>>
  /** A stable, literal code sent as the `code` extension member. */
  readonly code?: string
  /** The underlying error; logged, never sent. */
  readonly cause?: unknown
}

/**
 * The base error of the package. Throw it from a handler to answer with an RFC 9457
 * `application/problem+json` response; anything else thrown becomes a generic 500.
 *
 * @example
 * ```ts
 * throw new HttpError(503, { code: 'HELLO_DB_DOWN', detail: 'try again', headers: { 'Retry-After': '5' } })
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status, 400 to 599. */
  readonly status: number
  /** Stable code, sent as the `code` member of the problem. */
  readonly code: string
  /** The problem `title`. */
  readonly title: string
  /** The problem `detail`, when set. */
  readonly detail: string | undefined
  /** The problem `type`. */
  readonly type: string
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>

  constructor(status: number, options: HttpErrorOptions = {}) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`HttpError status must be an integer from 400 to 599, got ${String(status)}`)
    }
    const title = options.title ?? STATUS_CODES[status] ?? 'Error'
    super(options.detail ?? title, 'cause' in options ? { cause: options.cause } : undefined)
    this.name = 'HttpError'
    this.status = status
    this.code = options.code ?? defaultCodeByStatus.get(status) ?? 'HTTP_ERROR'
    this.title = title
    this.detail = options.detail
    this.type = options.type ?? 'about:blank'
    this.headers = options.headers ?? {}
  }
}
