import { HttpError } from './errors.js'

/** A route as compiled by the router; `T` is the handler type. */
export interface CompiledRoute<T> {
  readonly method: string
  readonly pattern: string
  readonly paramNames: readonly string[]
  readonly handler: T
}

/** All routes sharing one path shape, by method. */
export interface Endpoint<T> {
  /** The first pattern registered for this shape; the route label of 404-less answers (405, OPTIONS). */
  readonly pattern: string
  readonly routes: ReadonlyMap<string, CompiledRoute<T>>
  /** Value of the `Allow` header: the methods, plus HEAD when GET exists, plus OPTIONS. */
  readonly allow: string
}

/** A successful path match. `values` are the decoded `:param` values in pattern order. */
export interface PathMatch<T> {
  readonly endpoint: Endpoint<T>
  readonly values: readonly string[]
  /** The percent-decoded path. */
  readonly path: string
}

interface MutableEndpoint<T> {
  pattern: string
  routes: Map<string, CompiledRoute<T>>
  allow: string
}

class TrieNode<T> {
  readonly statics = new Map<string, TrieNode<T>>()
  param: TrieNode<T> | null = null
  endpoint: MutableEndpoint<T> | null = null
}

const paramName = /^:[A-Za-z_][A-Za-z0-9_]*$/
const httpToken = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const noValues: readonly string[] = Object.freeze([])

/**
 * A router compiled once from its routes: a map for fully static paths and a
 * segment trie (static children before the `:param` child, with backtracking)
 * for the rest. No regular expression runs per request.
 */
export class Router<T> {
  readonly #root = new TrieNode<T>()
  readonly #static = new Map<string, PathMatch<T>>()

  constructor(routes: Iterable<{ readonly method: string; readonly path: string; readonly handler: T }>) {
    const endpoints: MutableEndpoint<T>[] = []
    for (const route of routes) {
      if (!httpToken.test(route.method) || route.method !== route.method.toUpperCase()) {
        throw new TypeError(`route method must be an upper-case HTTP token, got ${JSON.stringify(route.method)}`)
      }
      const { node, paramNames } = this.#insert(route.path)
      if (node.endpoint === null) {
        node.endpoint = { pattern: route.path, routes: new Map(), allow: '' }
        endpoints.push(node.endpoint)
        if (paramNames.length === 0) {
          this.#static.set(route.path, { endpoint: node.endpoint, values: noValues, path: route.path })
        }
      }
      if (node.endpoint.routes.has(route.method)) {
        throw new TypeError(`duplicate route ${route.method} ${route.path}`)
      }
      node.endpoint.routes.set(route.method, { method: route.method, pattern: route.path, paramNames, handler: route.handler })
    }
    for (const endpoint of endpoints) endpoint.allow = allowHeader(endpoint.routes)
  }

  #insert(pattern: string): { node: TrieNode<T>; paramNames: string[] } {
    if (!pattern.startsWith('/')) throw new TypeError(`route path must start with "/", got ${JSON.stringify(pattern)}`)
    const paramNames: string[] = []
    let node = this.#root
    for (const segment of pattern.slice(1).split('/')) {
      if (segment.startsWith(':')) {
        if (!paramName.test(segment)) throw new TypeError(`invalid parameter ${JSON.stringify(segment)} in ${pattern}`)
        const name = segment.slice(1)
        if (paramNames.includes(name)) throw new TypeError(`duplicate parameter ${name} in ${pattern}`)
        paramNames.push(name)
        node.param ??= new TrieNode()
        node = node.param
      } else {
        let next = node.statics.get(segment)
        if (next === undefined) {
          next = new TrieNode()
          node.statics.set(segment, next)
        }
        node = next
      }
    }
    return { node, paramNames }
  }

  /**
   * Finds the endpoint for a raw (still percent-encoded) path, or null.
   * Throws an HttpError 400 when the path has malformed percent-encoding.
   */
  find(rawPath: string): PathMatch<T> | null {
    const hit = this.#static.get(rawPath)
    if (hit !== undefined) return hit
    const values: string[] = []
    if (!rawPath.includes('%')) {
      const endpoint = walkRaw(this.#root, rawPath, 1, values)
      return endpoint === null ? null : { endpoint, values, path: rawPath }
    }
    const segments = rawPath.slice(1).split('/').map(decodeSegment)
    const endpoint = walk(this.#root, segments, 0, values)
    return endpoint === null ? null : { endpoint, values, path: '/' + segments.join('/') }
  }
}

/** The common case, no percent-encoding: walks the path in place, slicing one segment at a time. */
function walkRaw<T>(node: TrieNode<T>, path: string, start: number, values: string[]): Endpoint<T> | null {
  const slash = path.indexOf('/', start)
  const end = slash === -1 ? path.length : slash
  const segment = path.slice(start, end)
  const child = node.statics.get(segment)
  if (child !== undefined) {
    const found = end === path.length ? child.endpoint : walkRaw(child, path, end + 1, values)
    if (found !== null) return found
  }
  if (node.param !== null && segment !== '') {
    values.push(segment)
    const found = end === path.length ? node.param.endpoint : walkRaw(node.param, path, end + 1, values)
    if (found !== null) return found
    values.pop()
  }
  return null
}

/** Walks already split and decoded segments. */
function walk<T>(node: TrieNode<T>, segments: readonly string[], index: number, values: string[]): Endpoint<T> | null {
  if (index === segments.length) return node.endpoint
  const segment = segments[index] as string
  const child = node.statics.get(segment)
  if (child !== undefined) {
    const found = walk(child, segments, index + 1, values)
    if (found !== null) return found
  }
  if (node.param !== null && segment !== '') {
    values.push(segment)
    const found = walk(node.param, segments, index + 1, values)
    if (found !== null) return found
    values.pop()
  }
  return null
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch (cause) {
    throw new HttpError(400, { code: 'HTTP_BAD_REQUEST', detail: 'The path has malformed percent-encoding.', cause })
  }
}

function allowHeader(routes: ReadonlyMap<string, unknown>): string {
  const methods = new Set(routes.keys())
  if (methods.has('GET')) methods.add('HEAD')
  methods.add('OPTIONS')
  return [...methods].sort().join(', ')
}
