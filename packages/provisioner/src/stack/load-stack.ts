import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import { stackSchema, type Stack } from './schema.js'

/** One problem in a stack file: a dotted path and a message. */
export interface StackIssue {
  readonly path: string
  readonly message: string
}

/** The result of {@link loadStack}: expected bad input is a value, not a throw. */
export type LoadStackResult =
  | { readonly ok: true; readonly stack: Stack }
  | { readonly ok: false; readonly issues: readonly StackIssue[] }

/**
 * Parse and validate a stack (an object, JSON/YAML text, or `{ file }`).
 * Every problem is reported field by field.
 *
 * @example
 * ```ts
 * const r = await loadStack({ file: 'stack.json' })
 * if (!r.ok) for (const i of r.issues) console.error(`${i.path}: ${i.message}`)
 * ```
 */
export async function loadStack(source: { readonly file: string } | { readonly text: string } | { readonly value: unknown }): Promise<LoadStackResult> {
  let value: unknown
  if ('value' in source) {
    value = source.value
  } else {
    let text: string
    if ('file' in source) {
      try {
        text = await readFile(source.file, 'utf8')
      } catch (err) {
        return { ok: false, issues: [{ path: '(file)', message: `cannot read ${source.file}: ${(err as Error).message}` }] }
      }
    } else {
      text = source.text
    }
    try {
      value = parseYaml(text) as unknown // YAML is a superset of JSON
    } catch (err) {
      return { ok: false, issues: [{ path: '(file)', message: `not JSON/YAML: ${(err as Error).message}` }] }
    }
  }
  const parsed = stackSchema.safeParse(value)
  if (parsed.success) return { ok: true, stack: parsed.data }
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: i.path.length === 0 ? '(root)' : i.path.join('.'), message: i.message })),
  }
}
