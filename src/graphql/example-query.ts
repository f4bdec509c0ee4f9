// The query GraphiQL opens with: the first page of a demo organization, with
// every field of its assistants (the shared fragment of assistant-fields.graphql).

import { assistantFields } from './assistant-fields.generated.ts';

export const exampleQuery = /* GraphQL */ `# The first 20 of the 45 assistants of the demo organization "globex".
# Page on with: assistants(first: 20, after: "<pageInfo.endCursor>")
query FirstAssistants {
  organization(restId: "globex") {
    id
    restId
    assistants(first: 20) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges {
        cursor
        node { ...AssistantFields }
      }
    }
  }
}
${assistantFields}`;
