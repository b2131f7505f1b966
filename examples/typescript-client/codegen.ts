import { createHash } from 'node:crypto';

import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for each shared operation (and the inputs and enums they
// use), from the client preset with persisted documents: every document
// carries its id in `document.__meta__.hash`, and
// src/generated/persisted-documents.json maps each id to the document's text
// for the server's trusted-documents manifest.
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['../operations/*.graphql'],
  generates: {
    'src/generated/': {
      preset: 'client',
      presetConfig: {
        // The operations spread fragments (...Offer) and read their fields.
        fragmentMasking: false,
        persistedDocuments: {
          // SHA-256 of the document's text, as bare lowercase hex: the
          // manifest's keys are this hex, and the client sends
          // `documentId: "sha256:<hex>"`. (The preset's built-in 'sha256'
          // would write the keys already prefixed with "sha256:".)
          hashAlgorithm: (document: string) => createHash('sha256').update(document, 'utf8').digest('hex'),
        },
      },
      config: {
        // Money stays a string end to end: never a float.
        scalars: { Decimal: 'string', DateTime: 'string', ID: 'string' },
        strictScalars: true,
        // Enums as string-literal unions, not TypeScript enums (the preset's
        // name for what was enumsAsTypes).
        enumType: 'string-literal',
        useTypeImports: true,
        // tsconfig's NodeNext resolution needs the extension on relative imports.
        importExtension: '.js',
      },
    },
  },
};

export default config;
