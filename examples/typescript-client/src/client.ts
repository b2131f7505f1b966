// A small typed GraphQL client: the result and variables types come from the
// generated documents, so a query and its use cannot drift apart. It sends
// trusted-document ids, never query text: codegen embeds each document's id
// (the SHA-256 of its text in src/generated/persisted-documents.json) in
// `document.__meta__.hash`, and the server looks the text up in its manifest.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { OperationDefinitionNode } from 'graphql';

export class GraphQLRequestError extends Error {
  constructor(public readonly errors: { message: string; extensions?: { code?: string } }[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
}

/** `sha256:<hex>`, the id of a persisted document; throws when codegen gave it none. */
export function documentId(document: TypedDocumentNode<unknown, never>): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
    throw new Error('document has no persisted-document hash: run `npm run codegen`');
  }
  return `sha256:${hash}`;
}

function operationName(document: TypedDocumentNode<unknown, never>): string | undefined {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  return operation?.name?.value;
}

export function client(url: string, apiKey: string) {
  return async function request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json',
        Authorization: `Bearer ${apiKey}`,
      },
      body: JSON.stringify({ documentId: documentId(document), variables, operationName: operationName(document) }),
    });
    const body = (await response.json()) as { data?: TResult; errors?: GraphQLRequestError['errors'] };
    if (body.errors?.length || body.data === undefined) {
      throw new GraphQLRequestError(body.errors ?? [{ message: `HTTP ${response.status}` }]);
    }
    return body.data;
  };
}
