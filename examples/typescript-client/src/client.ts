// A small typed GraphQL client: the result and variables types come from the
// generated documents, so a query and its use cannot drift apart.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export class GraphQLRequestError extends Error {
  constructor(public readonly errors: { message: string; extensions?: { code?: string } }[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
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
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await response.json()) as { data?: TResult; errors?: GraphQLRequestError['errors'] };
    if (body.errors?.length || body.data === undefined) {
      throw new GraphQLRequestError(body.errors ?? [{ message: `HTTP ${response.status}` }]);
    }
    return body.data;
  };
}
