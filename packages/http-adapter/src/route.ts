import type { RequestContext } from './request-context.js'

/**
 * What a handler returns. `body` is JSON-serialized; leave it out for an empty response (e.g. 204).
 *
 * @example
 * ```ts
 * const created: HandlerResult = { status: 201, body: { id: 7 }, headers: { Location: '/items/7' } }
 * const empty: HandlerResult = { status: 204 }
 * ```
 */
export interface HandlerResult {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * A route handler; throw an HttpError for a 4xx/5xx problem response.
 *
 * @example
 * ```ts
 * const getUser: Handler = async (ctx) => ({ status: 200, body: await users.find(ctx.params['id']) })
 * ```
 */
export type Handler = (ctx: RequestContext) => Promise<HandlerResult> | HandlerResult

/**
 * A route: an upper-case method and a path whose `:name` segments are parameters.
 *
 * @example
 * ```ts
 * const route: Route = { method: 'GET', path: '/hello/:username', handler: (ctx) => ({ status: 200, body: { name: ctx.params['username'] } }) }
 * ```
 */
export interface Route {
  readonly method: string
  readonly path: string
  readonly handler: Handler
}
