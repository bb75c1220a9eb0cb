/** One jest run for the whole workspace; packages resolve to their TypeScript sources. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      // type-graphql and TypeORM read design-time types: keep decorator metadata.
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: [
    '<rootDir>/packages',
    '<rootDir>/apps',
    '<rootDir>/gateway',
    '<rootDir>/services',
    '<rootDir>/tools',
    '<rootDir>/e2e',
  ],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': swc, '^.+/auto-bind/.+\\.js$': swc },
  // GraphQL Code Generator (tools/) depends on auto-bind, which ships only as an ES module.
  transformIgnorePatterns: ['/node_modules/(?!\\.pnpm/auto-bind@|auto-bind/)'],
  moduleNameMapper: {
    '^@loyalty/(platform|testing)$': '<rootDir>/packages/$1/src/index.ts',
    '^@loyalty/launcher$': '<rootDir>/apps/launcher/src/index.ts',
    '^@loyalty/tools$': '<rootDir>/tools/src/index.ts',
    '^@loyalty/gateway$': '<rootDir>/gateway/src/index.ts',
    '^@loyalty/(members|ledger|catalog|campaigns|referrals)$': '<rootDir>/services/$1/src/index.ts',
  },
  setupFiles: ['<rootDir>/packages/testing/setup-env.js'],
  testTimeout: 60000,
  // Integration tests start servers and databases: two workers fit a 2-core machine.
  maxWorkers: 2,
};
