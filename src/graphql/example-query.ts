/** The query GraphiQL opens with: the first page of a demo organization, every field. */
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
        node {
          id
          restId
          name
          enabled
          avatarUrl
          hasSecretKey
          createdAt
          updatedAt
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
            id restId integrationId enabled connectionId config error createdAt updatedAt
          }
          actions {
            id restId name enabled instructions actionId connectionId
            config { input definitions { path definition } }
            createdAt updatedAt
          }
        }
      }
    }
  }
}
`;
