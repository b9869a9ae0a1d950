import { HttpError } from './errors.js'

/** Media type of RFC 9457 problem details. */
export const problemContentType = 'application/problem+json'

const internalDetail = 'An unexpected error occurred.'

/** A problem ready to be written: status, lower-cased headers, serialized body. */
export interface Problem {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  /** The HttpError the response was built from. */
  readonly error: HttpError
  /** False for anything that was not an HttpError: a bug, to be logged at error level. */
  readonly expected: boolean
}

/**
 * The one error mapper: every error response of the package comes from here.
 * An HttpError keeps its status, fields and headers; anything else (including
 * non-Error values) becomes a 500 whose detail reveals nothing about the cause.
 */
export function toProblem(err: unknown): Problem {
  const expected = err instanceof HttpError
  const error = expected
    ? err
    : new HttpError(500, { code: 'HTTP_INTERNAL', detail: internalDetail, cause: err })
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(error.headers)) headers[name.toLowerCase()] = value
  headers['content-type'] = problemContentType
  return { status: error.status, headers, body: problemJson(error), error, expected }
}

/** The RFC 9457 members: `type`, `title`, `status`, `detail` (when set) and the `code` extension. */
export function problemJson(error: HttpError): string {
  const problem: Record<string, unknown> = { type: error.type, title: error.title, status: error.status }
  if (error.detail !== undefined) problem['detail'] = error.detail
  problem['code'] = error.code
  return JSON.stringify(problem)
}
