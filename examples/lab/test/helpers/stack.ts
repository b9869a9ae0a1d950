import { loadStack, type Stack } from '@birthday-ha/provisioner'
import { fileURLToPath } from 'node:url'

/** The lab's own stack file (examples/lab/stack.json). */
export async function labStack(): Promise<Stack> {
  const r = await loadStack({ file: fileURLToPath(new URL('../../stack.json', import.meta.url)) })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.stack
}
