import type { ProgressEvent } from './targets/aws/clients.js'
import type { Plan } from './targets/aws/engine/plan.js'
import type { ApplyReport } from './targets/aws/engine/apply.js'
import type { Secrets } from './host/host-plan.js'
import type { SshSessionFactory } from './ssh/session.js'
import type { Stack } from './stack/schema.js'

/**
 * The seam between "where the stack runs" and "what runs on it".
 *
 * A target makes the stack's machines, networks, load balancer and secrets
 * exist. Host configuration, deploy, status and promote-dr sit above this
 * interface and never know which target they talk to: AWS
 * (`targets/aws/`) or the lab of real local hosts (`examples/lab`).
 */
export interface Target {
  /** Short name for logs and status, e.g. `aws` or `lab`. */
  readonly kind: string
  readonly infrastructure: Infrastructure
  readonly loadBalancer: LoadBalancer
  readonly secrets: SecretStore
  /** How to reach the stack's hosts over SSH (through its bastion). */
  sessions(o: SessionOptions): Promise<SshSessionFactory>
}

/** Options for {@link Target.sessions}. */
export interface SessionOptions {
  readonly privateKey: string
  /** Login user on the hosts (`admin` on Debian's images). */
  readonly username: string
}

/** Machines and networks: planned, converged and removed as one. */
export interface Infrastructure {
  plan(stack: Stack): Promise<Plan>
  /** Converge to the stack; idempotent, resumable after a failure. */
  apply(stack: Stack, o?: ApplyOptions): Promise<ApplyReport>
  /** Remove everything of the stack; refuses without `confirm`. */
  destroy(stack: Stack, o: { readonly confirm: boolean }): Promise<readonly string[]>
  /** Every machine of the stack with its state, by the stack's host names. */
  machines(stack: Stack): Promise<readonly Machine[]>
}

/** Options of {@link Infrastructure.apply}. */
export interface ApplyOptions {
  /** Allow replacing resources whose settings cannot change in place (instance type, AMI, volume size). */
  readonly allowReplace?: boolean
  readonly onProgress?: (e: ProgressEvent) => void
}

/** A machine of the stack. */
export interface Machine {
  /** The stack's host name (`bastion`, `db1`…`db3`, `app1`…, `dr1`), also the Patroni member name. */
  readonly name: string
  readonly role: 'bastion' | 'db' | 'app' | 'dr-db'
  /** The fixed private address from `addresses()`. */
  readonly ip: string
  /** The target's own id (EC2 instance id, lab host id). */
  readonly id: string
  readonly state: 'running' | 'stopped' | 'missing'
}

/** The load balancer in front of the app hosts (the ALB, or the lab's haproxy). */
export interface LoadBalancer {
  /** Take a host out: resolves once it gets no new requests and its deregistration delay is over. */
  deregister(stack: Stack, host: string): Promise<void>
  /** Put a host in: resolves once its health check (`/readyz`) passes. */
  register(stack: Stack, host: string): Promise<void>
  /** Health of every app host, by host name (`healthy`, `unhealthy`, `draining`, `unused`). */
  health(stack: Stack): Promise<ReadonlyMap<string, string>>
  /** The URL clients use, once it exists. */
  url(stack: Stack): Promise<string | undefined>
}

/** Secrets with SSM SecureString's contract: created once, never printed, readable by name. */
export interface SecretStore {
  /** Create the missing ones (never overwrite), then read them all. */
  ensure(stack: Stack): Promise<Secrets>
  read(stack: Stack): Promise<Secrets>
}
