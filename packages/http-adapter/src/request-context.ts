import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { readJsonBody } from './json-body.js'
import type { Logger } from './logger.js'

/**
 * What a handler sees of a request.
 *
 * @example
 * ```ts
 * const handler = async (ctx: RequestContext) => {
 *   const body = await ctx.json()
 *   ctx.log.info({ user: ctx.params['username'] }, 'saving')
 *   return { status: 204 }
 * }
 * ```
 */
export interface RequestContext {
  readonly method: string
  /** The percent-decoded pathname. */
  readonly path: string
  /** Values of the `:name` segments, percent-decoded. */
  readonly params: Readonly<Record<string, string>>
  /** The query string, parsed on first access. */
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  /** The route pattern, e.g. `/hello/:username`; also the metrics label. */
  readonly route: string
  /** The request id: a well-formed incoming `x-request-id`, else a generated UUID. */
  readonly requestId: string
  /**
   * Reads the body once (later calls return the same promise) and parses it as a
   * JSON object. Rejects with an HttpError: 415 not JSON, 413 over the limit, 400 otherwise.
   */
  json(): Promise<unknown>
  /** A child logger bound to `reqId`, created on first access. */
  readonly log: Logger
}

const noParams: Readonly<Record<string, string>> = Object.freeze({})

/** The per-request context; lazy where it can be, so a GET that ignores query, body and log pays for none. */
export class Context implements RequestContext {
  readonly method: string
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly route: string
  readonly requestId: string
  readonly #req: IncomingMessage
  readonly #rawQuery: string
  readonly #logger: Logger
  readonly #bodyLimit: number
  #query: URLSearchParams | undefined
  #log: Logger | undefined
  #body: Promise<unknown> | undefined

  constructor(
    req: IncomingMessage,
    path: string,
    rawQuery: string,
    route: string,
    paramNames: readonly string[],
    values: readonly string[],
    requestId: string,
    logger: Logger,
    bodyLimit: number,
  ) {
    this.method = req.method as string
    this.path = path
    this.params = paramNames.length === 0 ? noParams : buildParams(paramNames, values)
    this.route = route
    this.requestId = requestId
    this.#req = req
    this.#rawQuery = rawQuery
    this.#logger = logger
    this.#bodyLimit = bodyLimit
  }

  get headers(): IncomingHttpHeaders {
    return this.#req.headers
  }

  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.#rawQuery)
    return this.#query
  }

  get log(): Logger {
    this.#log ??= this.#logger.child({ reqId: this.requestId })
    return this.#log
  }

  json(): Promise<unknown> {
    this.#body ??= readJsonBody(this.#req, this.#bodyLimit)
    return this.#body
  }
}

function buildParams(names: readonly string[], values: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {}
  for (let i = 0; i < names.length; i++) params[names[i] as string] = values[i] as string
  return params
}
