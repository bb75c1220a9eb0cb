import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SERVICES = ['members', 'ledger', 'catalog', 'campaigns', 'referrals'];
const APPS = ['@loyalty/launcher', '@loyalty/gateway', '@loyalty/tools', '@loyalty/e2e'];

/**
 * Arrows point down only: apps and tools → services and gateway → packages. A relative path that
 * climbs into another workspace folder is refused too, so aliases cannot hide a cycle.
 */
const boundaries = (files, banned, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: banned, message },
          {
            regex: '^(\\.\\./)+(apps|services|gateway|tools|e2e|bench|packages)/',
            message: 'Import another workspace package by its name, never by a relative path.',
          },
        ],
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      'apps/web/src/gql/**',
      '**/dist/**',
      '**/node_modules/**',
      'data/**',
      'coverage/**',
      '**/*.generated.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Configuration is read in one typed module per package (src/config.ts).
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through the package config module.' },
      ],
    },
  },
  boundaries(
    ['packages/**/*.ts'],
    [...APPS, ...SERVICES.map((s) => `@loyalty/${s}`)],
    'packages/ are shared machinery: they never import a service, the gateway, an app or a tool.',
  ),
  boundaries(
    ['gateway/**/*.ts'],
    [...APPS.filter((a) => a !== '@loyalty/gateway'), ...SERVICES.map((s) => `@loyalty/${s}`)],
    'The gateway knows subgraphs only through the supergraph, never their code.',
  ),
  boundaries(
    ['apps/**/*.ts', 'tools/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts'],
    ['@loyalty/e2e'],
    'Nothing imports the whole-graph tests.',
  ),
  ...SERVICES.map((self) =>
    boundaries(
      [`services/${self}/**/*.ts`],
      [...APPS, ...SERVICES.filter((s) => s !== self).map((s) => `@loyalty/${s}`)],
      'A service reaches other services through the graph, events and its src/peers/ clients, never their code.',
    ),
  ),
  {
    files: [
      '**/src/config.ts',
      '**/test/**',
      'jest.config.js',
      '**/*.js',
      'bench/**',
      'packages/testing/src/**',
    ],
    rules: { 'no-restricted-properties': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      globals: {
        module: 'writable',
        require: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
  },
);
