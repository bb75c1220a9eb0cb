import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed operations from the schema the gateway serves (gateway/schema.graphql, written by
// `pnpm compose`): an operation that the served schema no longer satisfies fails the build.
const config: CodegenConfig = {
  schema: '../../gateway/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      config: { scalars: { DateTime: 'string' }, enumsAsTypes: true, useTypeImports: true },
      presetConfig: { fragmentMasking: false },
    },
  },
  silent: true,
};
export default config;
