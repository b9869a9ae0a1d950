import {
  daysUntilBirthday,
  greeting,
  parseDateOfBirth,
  parseUsername,
  todayIn,
  type LeapDayRule,
  type ValidationIssue,
} from '@birthday-ha/birthday-core'
import { HttpError, type RequestContext, type Route } from '@birthday-ha/http-adapter'
import type { BirthdayStore } from './birthday-store.js'
import { orUnavailable } from './unavailable.js'

export interface HelloRouteOptions {
  store: BirthdayStore
  /** Epoch milliseconds; injected so tests can pin "today". */
  now?: () => number
  leapDayRule?: LeapDayRule
}

// Problem `type` stays `about:blank` (RFC 9457) like every other error of the adapter: clients tell
// errors apart by the stable `code`, and no URL is promised that nobody serves.
function invalid(issue: ValidationIssue): HttpError {
  return new HttpError(400, { title: 'Invalid request', detail: issue.message, code: issue.code })
}

/** `PUT /hello/:username` and `GET /hello/:username`. */
export function helloRoutes(options: HelloRouteOptions): Route[] {
  const { store } = options
  const now = options.now ?? Date.now
  const leapDayRule = options.leapDayRule ?? 'mar1'

  function username(ctx: RequestContext) {
    const parsed = parseUsername(ctx.params['username'])
    if (!parsed.ok) throw invalid(parsed.error)
    return parsed.value
  }

  function today(ctx: RequestContext): string {
    const zones = ctx.query.getAll('tz')
    if (zones.length > 1) {
      throw new HttpError(400, { title: 'Invalid request', detail: 'Give the tz parameter at most once.', code: 'TZ_REPEATED' })
    }
    const parsed = todayIn(zones[0] ?? 'UTC', now)
    if (!parsed.ok) throw invalid(parsed.error)
    return parsed.value
  }

  return [
    {
      method: 'PUT',
      path: '/hello/:username',
      async handler(ctx) {
        const user = username(ctx)
        const day = today(ctx)
        const body = (await ctx.json()) as Record<string, unknown>
        const unknownFields = Object.keys(body).filter((field) => field !== 'dateOfBirth')
        if (unknownFields.length > 0) {
          throw new HttpError(400, {
            title: 'Invalid request',
            detail: `Unknown field(s) in the body: ${unknownFields.slice(0, 5).join(', ')}. Only dateOfBirth is accepted.`,
            code: 'BODY_UNKNOWN_FIELD',
          })
        }
        if (!('dateOfBirth' in body)) {
          throw new HttpError(400, {
            title: 'Invalid request',
            detail: 'The body must be {"dateOfBirth": "YYYY-MM-DD"}.',
            code: 'BODY_MISSING_DATE_OF_BIRTH',
          })
        }
        const dateOfBirth = parseDateOfBirth(body['dateOfBirth'], day)
        if (!dateOfBirth.ok) throw invalid(dateOfBirth.error)
        await orUnavailable(store.save(user.key, user.name, dateOfBirth.value))
        return { status: 204 }
      },
    },
    {
      method: 'GET',
      path: '/hello/:username',
      async handler(ctx) {
        const user = username(ctx)
        const day = today(ctx)
        const stored = await orUnavailable(store.find(user.key))
        if (stored === undefined) {
          throw new HttpError(404, {
            title: 'Unknown user',
            detail: 'No date of birth is stored for this username.',
            code: 'USER_NOT_FOUND',
          })
        }
        const days = daysUntilBirthday(stored.dateOfBirth, day, { leapDayRule })
        return { status: 200, body: { message: greeting(user.name, days) } }
      },
    },
  ]
}
