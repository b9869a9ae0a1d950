import { isIP } from 'node:net'
import { RenderError } from './render-error.js'

// Assertions shared by the renderers. Every value a renderer copies into a config file, a
// pg_hba line or a SQL statement passes one of these first, so nothing needs quoting later.

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/
const SAFE_PATH = /^\/[A-Za-z0-9_./@+-]*$/

const invalid = (field: string, message: string): RenderError =>
  new RenderError('PROV_RENDER_INVALID_SPEC', field, message)

/** A PostgreSQL role or database name that needs no quoting anywhere. */
export function checkRoleName(field: string, value: string): string {
  if (!ROLE_NAME.test(value)) {
    throw invalid(field, `must match ${ROLE_NAME.source} (lower-case identifier), got ${JSON.stringify(value)}`)
  }
  return value
}

/** A cluster scope, node or etcd member name. */
export function checkNodeName(field: string, value: string): string {
  if (!NODE_NAME.test(value)) throw invalid(field, `must match ${NODE_NAME.source}, got ${JSON.stringify(value)}`)
  return value
}

/** An absolute path without spaces or quotes (it ends up in shell-split commands). */
export function checkPath(field: string, value: string): string {
  if (!SAFE_PATH.test(value) || value.split('/').includes('..')) {
    throw invalid(field, `must be an absolute path of [A-Za-z0-9_./@+-] without '..', got ${JSON.stringify(value)}`)
  }
  return value
}

/** A secret: non-empty, no NUL or line breaks. Never echoed in the message. */
export function checkSecret(field: string, value: string): string {
  if (value.length === 0 || /[\0\r\n]/.test(value)) throw invalid(field, 'must be non-empty and hold no NUL or line break')
  return value
}

/** A TCP port number. */
export function checkPort(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw invalid(field, `must be a port 1-65535, got ${value}`)
  return value
}

const HOST = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)$/

/** An IP address or DNS name (IPv6 in brackets). */
export function checkHost(field: string, value: string): string {
  if (!HOST.test(value)) throw invalid(field, `must be an IP address or DNS name, got ${JSON.stringify(value)}`)
  return value
}

/** `host:port` (no scheme); the host is an IP address or a DNS name. */
export function checkHostPort(field: string, value: string): string {
  const match = /^(.+):(\d{1,5})$/.exec(value)
  if (match === null) throw invalid(field, `must be host:port without a scheme, got ${JSON.stringify(value)}`)
  checkHost(field, match[1] as string)
  checkPort(field, Number(match[2]))
  return value
}

/** An `http://host:port` URL as etcd wants it. */
export function checkHttpUrl(field: string, value: string): string {
  const match = /^https?:\/\/(.+)$/.exec(value)
  if (match === null) throw invalid(field, `must be http(s)://host:port, got ${JSON.stringify(value)}`)
  checkHostPort(field, match[1] as string)
  return value
}

/** An IPv4 or IPv6 CIDR such as `10.0.1.0/24`. */
export function checkCidr(field: string, value: string): string {
  const [address = '', prefix = '', ...rest] = value.split('/')
  const family = isIP(address)
  const bits = Number(prefix)
  const max = family === 6 ? 128 : 32
  if (family === 0 || rest.length > 0 || !/^\d{1,3}$/.test(prefix) || bits > max) {
    throw invalid(field, `must be an IP CIDR like 10.0.1.0/24, got ${JSON.stringify(value)}`)
  }
  return value
}

/** A non-empty list, each element checked. */
export function checkList<T>(field: string, values: readonly T[], check: (field: string, value: T) => T): T[] {
  if (values.length === 0) throw invalid(field, 'must not be empty')
  return values.map((value, i) => check(`${field}[${i}]`, value))
}

/** A non-negative integer. */
export function checkNonNegativeInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw invalid(field, `must be a non-negative integer, got ${value}`)
  return value
}

/** A positive integer. */
export function checkPositiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw invalid(field, `must be a positive integer, got ${value}`)
  return value
}

/** A PostgreSQL size setting with its unit, e.g. `2GB` (https://www.postgresql.org/docs/current/config-setting.html). */
export function checkSize(field: string, value: string): string {
  if (!/^[1-9][0-9]{0,8}(kB|MB|GB|TB)$/.test(value)) throw invalid(field, `must be a size like 512MB or 2GB, got ${JSON.stringify(value)}`)
  return value
}
