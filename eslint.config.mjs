// Lint rules that guard correctness: floating promises (a determinism bug in workflow code),
// type-only imports, and no Node built-ins or I/O libraries in deterministic code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import reactHooks from 'eslint-plugin-react-hooks';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['apps/console/src/api/generated/**', '**/dist/**', '**/node_modules/**', '.tools/**', '.data/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    ignores: ['apps/console/**'],
    languageOptions: {
      parserOptions: { project: ['./tsconfig.test.json', './tsconfig.tools.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-sequences': 'off',
    },
  },
  {
    // The web console: browser code with its own tsconfig (DOM, JSX, bundler resolution).
    files: ['apps/console/src/**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { project: ['./apps/console/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Deterministic code: bundled into Temporal workflows, so no Node built-ins and no I/O libraries.
    files: ['packages/domain/src/**/*.ts', 'packages/workflows/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow and domain code must be deterministic: no Node built-ins.' })),
          patterns: [
            { group: ['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@prisma/*', 'ioredis', 'pg', 'winston', 'openai'], message: 'No I/O in deterministic code.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'No process in deterministic code.' }],
    },
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'The domain takes randomness as input.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'The domain takes time as input.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The domain takes time as input.' },
      ],
    },
  },
);
