import { readFileSync } from 'node:fs'
import type { Route } from '@birthday-ha/http-adapter'

/** The checked-in OpenAPI 3.1 description, beside `src/` and `dist/` (so the same path works from both). */
const documentUrl = new URL('../openapi.json', import.meta.url)

/**
 * `GET /openapi.json`: the API's OpenAPI 3.1 description, read once when the app is created.
 * `test/openapi.ts` validates the document; every response of the API suite is checked against it.
 */
export function openApiRoute(): Route {
  const document: unknown = JSON.parse(readFileSync(documentUrl, 'utf8'))
  return {
    method: 'GET',
    path: '/openapi.json',
    handler: () => ({ status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } }),
  }
}
