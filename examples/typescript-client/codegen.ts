import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for each shared operation (and the inputs and enums they use), as
// typed documents.
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['../operations/*.graphql'],
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        // Money stays a string end to end: never a float.
        scalars: { Decimal: 'string', DateTime: 'string', ID: 'string' },
        enumsAsTypes: true,
        strictScalars: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
