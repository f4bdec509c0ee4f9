// Typed documents shared by the gateway tests (types: `npm run codegen`). The
// every-field fragment, AssistantFields, is src/graphql/assistant-fields.graphql.

import { graphql } from '../generated/index.ts';

export const pageQuery = graphql(`
  query Page($org: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    organization(restId: $org) {
      assistants(first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { restId } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
`);

export const fullPageQuery = graphql(`
  query FullPage($org: ID!, $first: Int) {
    organization(restId: $org) {
      id
      restId
      assistants(first: $first) {
        nodes { ...AssistantFields }
        pageInfo { hasNextPage hasPreviousPage }
      }
    }
  }
`);
