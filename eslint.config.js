// @ts-check
/**
 * typescript-eslint's strict, type-checked presets over src/, test/, bench/ and the sandbox package,
 * with Prettier owning layout (eslint-config-prettier turns off every rule it would fight).
 */
import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Recorded vendor payloads are byte-for-byte fixtures, not code of ours.
    ignores: ['**/node_modules/', '**/dist/', 'coverage/', '.rostergate/', 'test/fixtures/recorded/'],
  },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // Counts, ids and durations are interpolated into messages everywhere; a number prints as itself.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(x) => void send(x)` and `() => res.end()` as callbacks are the intent, not a confused value.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Implementing a Promise-returning interface (keyv adapters, Apollo plugin hooks, ports) with
      // `async` keeps a synchronous throw a rejection, which is what the interface's callers handle.
      '@typescript-eslint/require-await': 'off',
      // An empty string is "not given" here (an environment variable set to nothing, a blank HR or
      // Litmos field), so `||` falling through it is the intent; `??` stays required for the rest.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
      // `const { drop: _, ...rest } = x` is how a copy without one key is made.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    // type-graphql's object and input types are classes used as data shapes (fields only, no
    // methods or private state); resolvers return plain objects for them, as type-graphql documents.
    files: ['src/resolvers/**/*.ts', 'src/schema/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-class-instance-assignment': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // A test's `!` on what it just asserted fails loudly if wrong; guarding it again adds nothing.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Stubs and no-op callbacks are what a test hands to the code under test.
      '@typescript-eslint/no-empty-function': 'off',
      // vitest's asymmetric matchers (expect.any, expect.objectContaining…) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // Tests check at run time what the types only claim (`expect(x.learner === null)`), and tear
      // down with `t?.close()` a fixture a failed beforeAll never assigned (declared `let t: T`).
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    // Plain JavaScript (this file, bin/) is in no tsconfig, so it gets the untyped rules only.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
);
