// The soak's selection of an assistant: every field (test/graphql/full-selection.test.ts
// checks that it misses none); answers are compared with the oracle in
// test/helpers/expected.ts once their global ids are set aside.

export const soakFields = /* GraphQL */ `
  fragment SoakFields on Assistant {
    id restId organization { restId } name enabled avatarUrl hasSecretKey createdAt updatedAt
    config {
      language model knowledgeScope instructions stt { model } tts { model voiceId }
      conversation {
        threadMode enableMemories enableTransferToHumanTool welcomeBanner suggestedMessages
        autoIntroMessage enableEndConversationTool enableBlockContactTool enablePrivateChats
      }
    }
    integrations { id restId assistant { restId } integrationId enabled connectionId config error createdAt updatedAt }
    actions {
      id restId assistant { restId } name enabled instructions actionId connectionId createdAt updatedAt
      config { input definitions { path definition } }
    }
  }`;
