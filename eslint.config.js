// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import { noImportCycle } from './tools/eslint/no-import-cycle.js'

const ioModules = [
  'node:*',
  'fs',
  'net',
  'http',
  'https',
  'child_process',
  'pg',
  'better-sqlite3',
  'kysely',
  'nats',
  'fastify',
  '@fastify/*',
  'ws',
  'pino',
  // Observability libraries stay at the edge too: the core speaks to the Tracer port.
  'prom-client',
  '@opentelemetry/*',
]

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      'packages/dashboard/*.config.*',
      '*.config.*',
      'tools/**',
    ],
  },
  {
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // The dashboard (a React app) is checked only for import cycles, below.
    ignores: ['packages/dashboard/**'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      // `import { type X }` alone compiles to `import {}`, which still loads the module.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    // No import cycles in any package's sources, type-only imports included.
    files: ['packages/*/src/**/*.{ts,tsx}'],
    plugins: { agentmesh: { rules: { 'no-import-cycle': noImportCycle } } },
    rules: { 'agentmesh/no-import-cycle': 'error' },
  },
  {
    // The domain core: pure TypeScript. It may import only protocol, fl (pure too) and its own files.
    files: ['packages/server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ioModules,
              message: 'The core does no I/O: put it behind a port in core/ports/.',
            },
            {
              group: ['**/adapters/**', '**/api/**', '**/cli/**', '**/node.js', '**/node.ts'],
              message:
                'The core never imports the edge: adapters, api, cli and node.ts import the core.',
            },
            {
              group: ['./store.js', '../store.js'],
              message:
                'A domain takes the stores it uses; the aggregate Store is for node.ts and adapters.',
            },
            {
              regex: '^(?!\\.{1,2}/|@agentmesh/protocol$|@agentmesh/fl$)',
              message:
                'The core imports only protocol and its own files: put a library behind a port.',
            },
          ],
        },
      ],
    },
  },
  {
    // protocol runs in browsers too: only its Node implementation file may touch node:*.
    files: ['packages/protocol/src/**/*.ts'],
    ignores: ['packages/protocol/src/crypto/node.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ioModules, message: 'protocol runs in browsers too.' }] },
      ],
    },
  },
  {
    // fl is pure too: only its digits loader reads a file.
    files: ['packages/fl/src/**/*.ts'],
    ignores: ['packages/fl/src/digits.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ioModules, message: 'fl does no I/O: take the bytes as input.' }] },
      ],
    },
  },
  {
    files: ['packages/server/src/cli/**/*.ts', 'packages/bench/src/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The committed bin: plain JavaScript outside every tsconfig, so linted without types.
    files: ['packages/server/bin/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { process: 'readonly', URL: 'readonly' },
    },
  },
  {
    // Build scripts: plain JavaScript that npm scripts run, linted without types.
    files: ['packages/server/scripts/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-console': 'off' },
  },
  {
    files: ['packages/*/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
)
