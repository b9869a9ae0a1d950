import type { EC2Client } from '@aws-sdk/client-ec2'
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { SSMClient } from '@aws-sdk/client-ssm'

/** Client factories, one client per region. Tests pass in-memory fakes. */
export interface AwsClients {
  readonly ec2: (region: string) => EC2Client
  readonly elbv2: (region: string) => ElasticLoadBalancingV2Client
  readonly ssm: (region: string) => SSMClient
}

/** A structured, secret-free progress event. */
export interface ProgressEvent {
  readonly event: string
  readonly key?: string
  readonly region?: string
  readonly detail?: string
}

/** What the engine needs from the outside world. Everything is injected. */
export interface EngineDeps {
  readonly clients: AwsClients
  /** Waits between retries (default: a real timer). */
  readonly sleep?: (ms: number) => Promise<void>
  /** Upper bound, in seconds, for each wait on a state change (default 600). */
  readonly maxWaitSeconds?: number
  /**
   * Upper bound, in seconds, for retrying a delete that answers `DependencyViolation`
   * (default 1200: an ALB's network interfaces go away minutes after `DeleteLoadBalancer`).
   */
  readonly dependencyWaitSeconds?: number
  /** Generates one secret value (default: 32 random bytes, base64url). */
  readonly generateSecret?: () => string
  /** Receives progress events (never secrets). */
  readonly onProgress?: (event: ProgressEvent) => void
}

/**
 * The default sleep: a plain timer, which keeps the process alive. While a command waits between
 * polls nothing else may (idle keep-alive sockets are unref'd): an unref'd timer let it exit mid-wait.
 */
export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
