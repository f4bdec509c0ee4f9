// Typed documents shared by the gateway tests (types: `npm run codegen`).

import { graphql } from '../generated/index.ts';

export const assistantFields = graphql(`
  fragment AssistantFields on Assistant {
    id
    restId
    organization { id restId }
    name
    enabled
    avatarUrl
    hasSecretKey
    config {
      language
      model
      stt { model }
      tts { model voiceId }
      conversation {
        threadMode
        enableMemories
        enableTransferToHumanTool
        welcomeBanner
        suggestedMessages
        autoIntroMessage
        enableEndConversationTool
        enableBlockContactTool
        enablePrivateChats
      }
      knowledgeScope
      instructions
    }
    integrations {
      id
      restId
      assistant { restId }
      integrationId
      enabled
      connectionId
      config
      error
      createdAt
      updatedAt
    }
    actions {
      id
      restId
      assistant { restId }
      name
      enabled
      instructions
      actionId
      connectionId
      config { input definitions { path definition } }
      createdAt
      updatedAt
    }
    createdAt
    updatedAt
  }
`);

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
