// ESLint flat config (`npm run lint`, run by `npm test`'s pretest): typescript-eslint's strict
// type-checked rules on every TypeScript file, with one program for the whole tree
// (tsconfig.eslint.json, so tests are linted with types too), and ESLint's recommended rules on
// the plain JavaScript (benchmarks, scripts). Each rule turned down below says why.
import eslint from '@eslint/js'
import { defineConfig } from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {
    ignores: ['**/dist/', '**/node_modules/', '**/.data/', '**/.tap/', '**/coverage/', '**/tap-snapshots/', '**/test/**/snapshots/'],
  },
  eslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers and booleans read fine in messages; objects, `undefined` and `any` are still refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => resolve()` and `(x) => void emit(x)` are the idiom for callbacks; only statements are checked.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidOperator: true }],
      // With noUncheckedIndexedAccess, `xs[i]!` after a bounds check is the idiom (as is `as T`); tsc keeps the rest honest.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Public functions re-check typed inputs at run time for JavaScript callers and casts (conventions: programmer
      // errors throw); this rule calls every such check "unnecessary".
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // `async` without `await` is used on purpose, so that a synchronous throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
      // Same reason: `String(x)` on a value typed string is a run-time guard for JavaScript callers.
      '@typescript-eslint/no-unnecessary-type-conversion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: {
      // tap queues `t.test()` subtests and awaits them itself; its docs show them un-awaited.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }] }],
      // Tests read untyped JSON (`Response.json()` is `any`) and assert its shape with t.match/t.same: that is the check.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
)
