import { GetParameterCommand } from '@aws-sdk/client-ssm'
import type { EngineDeps } from '../clients.js'
import { withRetry } from '../retry.js'
import { defaultSleep } from '../clients.js'
import type { Secrets } from '../../../host/host-plan.js'
import { SECRET_NAMES, secretParameter } from '../plan/desired.js'
import type { Stack } from '../../../stack/schema.js'

/** Read the stack's secrets (decrypted) from one region's Parameter Store (default: the primary). */
export async function readSecrets(stack: Stack, deps: EngineDeps, region = stack.primary.region): Promise<Secrets> {
  const ssm = deps.clients.ssm(region)
  const out: Record<string, string> = {}
  for (const name of SECRET_NAMES) {
    const r = await withRetry('GetParameter', () => ssm.send(new GetParameterCommand({ Name: secretParameter(stack.name, name), WithDecryption: true })), { sleep: deps.sleep ?? defaultSleep })
    out[name] = r.Parameter!.Value!
  }
  return out as Secrets
}
