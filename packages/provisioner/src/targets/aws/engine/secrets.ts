import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm'
import type { EngineDeps } from '../clients.js'
import { errorName, withRetry } from '../retry.js'
import { defaultSleep } from '../clients.js'
import type { Secrets } from '../../../host/host-plan.js'
import { SECRET_NAMES, secretParameter } from '../plan/desired.js'
import { EngineContext } from './context.js'
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

/**
 * Create the missing secrets in both regions (one value per name, copied from
 * whichever region has it), never overwriting (`Overwrite: false`; a
 * `ParameterAlreadyExists` answer keeps what is there), then read them.
 */
export async function ensureSecrets(stack: Stack, deps: EngineDeps): Promise<Secrets> {
  const { sleep, generateSecret: generate } = new EngineContext(stack, deps).deps
  const regions = [stack.primary.region, stack.dr.region]
  const get = async (region: string, Name: string): Promise<string | undefined> =>
    withRetry('GetParameter', () => deps.clients.ssm(region).send(new GetParameterCommand({ Name, WithDecryption: true })), { sleep }).then(
      (r) => r.Parameter!.Value!,
      (err: unknown) => {
        if (errorName((err as Error).cause) === 'ParameterNotFound') return undefined
        throw err
      },
    )
  for (const name of SECRET_NAMES) {
    const Name = secretParameter(stack.name, name)
    const have = new Map<string, string | undefined>()
    for (const region of regions) have.set(region, await get(region, Name))
    let value = [...have.values()].find((v) => v !== undefined) ?? generate()
    for (const region of regions.filter((r) => have.get(r) === undefined)) {
      await withRetry('PutParameter', () => deps.clients.ssm(region).send(new PutParameterCommand({ Name, Value: value, Type: 'SecureString', Overwrite: false })), { sleep }).catch(async (err: unknown) => {
        if (errorName((err as Error).cause) !== 'ParameterAlreadyExists') throw err
        value = (await get(region, Name))!
      })
    }
  }
  return readSecrets(stack, deps)
}
