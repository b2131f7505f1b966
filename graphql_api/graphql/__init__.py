"""The GraphQL layer: types, queries, mutations and loaders, one package per
domain, over the domain packages and the core rules. Resolvers here parse
input, call a service function and map the result; nothing here decides a
business rule."""
