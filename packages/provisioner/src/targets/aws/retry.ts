import { ProvisionerError } from '../../errors.js'

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled', 'ServiceUnavailable'])
const CREDENTIALS = new Set(['CredentialsProviderError', 'UnrecognizedClientException', 'InvalidClientTokenId', 'AuthFailure', 'ExpiredToken', 'ExpiredTokenException'])

/** How a call is retried. */
export interface RetryOptions {
  readonly sleep: (ms: number) => Promise<void>
  /** Retry `*.NotFound` (eventual consistency right after a create). */
  readonly notFound?: boolean
  readonly maxAttempts?: number
}

/** The error name of an SDK error, or `''`. */
export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : ''
}

function retryable(name: string, o: RetryOptions): boolean {
  return THROTTLING.has(name) || (o.notFound === true && name.endsWith('NotFound'))
}

/**
 * Run one AWS call with capped exponential backoff (0.5 s doubling, at most
 * 20 s) on throttling, and optionally on eventual-consistency errors.
 * Failures become a {@link ProvisionerError} with the SDK error as `cause`.
 */
export async function withRetry<T>(label: string, fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const max = o.maxAttempts ?? 8
  const attempt = async (n: number): Promise<T> => {
    try {
      return await fn()
    } catch (err) {
      const name = errorName(err)
      if (n < max && retryable(name, o)) {
        await o.sleep(Math.min(500 * 2 ** (n - 1), 20_000))
        return attempt(n + 1)
      }
      if (err instanceof ProvisionerError) throw err
      const code = CREDENTIALS.has(name) ? 'PROV_NO_CREDENTIALS' : 'PROV_AWS_CALL_FAILED'
      throw new ProvisionerError(code, `${label} failed: ${name}: ${String((err as Error).message)}`, { cause: err, details: { call: label, awsError: name } })
    }
  }
  return attempt(1)
}
