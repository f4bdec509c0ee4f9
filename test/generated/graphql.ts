/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** What the check of a cursor found where the cursor pointed. */
export type CursorCheckStatus =
  /** The page follows on exactly from the cursor: its assistant is where the cursor says (or, where the page did not read that position, the assistant after it is). */
  | 'EXACT'
  /** Neither its assistant nor its neighbours were found near the cursor (the list changed more than CURSOR_SEARCH_PAGES pages cover): the offset was used, and the page may repeat or skip assistants. */
  | 'NOT_FOUND'
  /** Its assistant moved (assistants were added or removed before it): the page follows on from where it is now; `shift` says how far it moved. */
  | 'SHIFTED'
  /** Its assistant is gone: the page follows on from where it stood, between its neighbours, so no assistant that is still there is skipped or repeated. */
  | 'SUCCESSOR'
  /** A cursor of the old format (v1): its offset was used as it is, unchecked. */
  | 'UNCHECKED';

export type AssistantFieldsFragment = { id: string, restId: string, name: string, enabled: boolean, avatarUrl: string | null, hasSecretKey: boolean, createdAt: string, updatedAt: string, organization: { id: string, restId: string }, config: { language: string, model: string, knowledgeScope: string, instructions: string | null, stt: { model: string }, tts: { model: string, voiceId: string }, conversation: { threadMode: string, enableMemories: boolean, enableTransferToHumanTool: boolean, welcomeBanner: string | null, suggestedMessages: Array<string>, autoIntroMessage: string | null, enableEndConversationTool: boolean, enableBlockContactTool: boolean, enablePrivateChats: boolean } }, integrations: Array<{ id: string, restId: string, integrationId: string, enabled: boolean, connectionId: string | null, config: unknown, error: string | null, createdAt: string, updatedAt: string, assistant: { restId: string } }>, actions: Array<{ id: string, restId: string, name: string, enabled: boolean, instructions: string | null, actionId: string, connectionId: string | null, createdAt: string, updatedAt: string, assistant: { restId: string }, config: { input: unknown, definitions: Array<{ path: string, definition: unknown }> } }> };

export type MixedNodesQueryVariables = Exact<{
  ids: Array<string> | string;
}>;


export type MixedNodesQuery = { nodes: Array<
    | { id: string }
    | { restId: string, id: string }
    | { id: string }
    | { restId: string, id: string }
   | null>, organization: { restId: string } };

export type MixedEntitiesQueryVariables = Exact<{
  representations: Array<unknown> | unknown;
}>;


export type MixedEntitiesQuery = { _entities: Array<
    | { restId: string }
    | { restId: string }
    | Record<PropertyKey, never>
   | null> };

export type PageQueryVariables = Exact<{
  org: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type PageQuery = { organization: { assistants: { edges: Array<{ cursor: string, node: { restId: string } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } | null } };

export type FullPageQueryVariables = Exact<{
  org: string;
  first?: number | null | undefined;
}>;


export type FullPageQuery = { organization: { id: string, restId: string, assistants: { nodes: Array<{ id: string, restId: string, name: string, enabled: boolean, avatarUrl: string | null, hasSecretKey: boolean, createdAt: string, updatedAt: string, organization: { id: string, restId: string }, config: { language: string, model: string, knowledgeScope: string, instructions: string | null, stt: { model: string }, tts: { model: string, voiceId: string }, conversation: { threadMode: string, enableMemories: boolean, enableTransferToHumanTool: boolean, welcomeBanner: string | null, suggestedMessages: Array<string>, autoIntroMessage: string | null, enableEndConversationTool: boolean, enableBlockContactTool: boolean, enablePrivateChats: boolean } }, integrations: Array<{ id: string, restId: string, integrationId: string, enabled: boolean, connectionId: string | null, config: unknown, error: string | null, createdAt: string, updatedAt: string, assistant: { restId: string } }>, actions: Array<{ id: string, restId: string, name: string, enabled: boolean, instructions: string | null, actionId: string, connectionId: string | null, createdAt: string, updatedAt: string, assistant: { restId: string }, config: { input: unknown, definitions: Array<{ path: string, definition: unknown }> } }> }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean } } | null } };

export type ForwardPageQueryVariables = Exact<{
  first: number;
  after: string;
}>;


export type ForwardPageQuery = { organization: { assistants: { edges: Array<{ cursor: string, node: { restId: string } }>, cursorCheck: { status: CursorCheckStatus, shift: number | null } | null } | null } };

export type InitechWindowQueryVariables = Exact<{ [key: string]: never; }>;


export type InitechWindowQuery = { organization: { assistants: { nodes: Array<{ name: string }> } | null } };

export type InitechWindowAliasesQueryVariables = Exact<{ [key: string]: never; }>;


export type InitechWindowAliasesQuery = { a: { assistants: { nodes: Array<{ restId: string }> } | null }, b: { assistants: { edges: Array<{ cursor: string }> } | null }, c: { assistants: { pageInfo: { hasNextPage: boolean } } | null }, d: { assistants: { nodes: Array<{ name: string }> } | null } };

export type InitechWindowNamesFragment = { assistants: { nodes: Array<{ name: string }> } | null };

export type FiveOrganizationsQueryVariables = Exact<{ [key: string]: never; }>;


export type FiveOrganizationsQuery = { a: { assistants: { nodes: Array<{ restId: string }> } | null }, b: { assistants: { nodes: Array<{ restId: string }> } | null }, c: { assistants: { nodes: Array<{ restId: string }> } | null }, d: { assistants: { nodes: Array<{ restId: string }> } | null }, e: { assistants: { nodes: Array<{ restId: string }> } | null } };

export type NestedWindowsQueryVariables = Exact<{
  org: string;
}>;


export type NestedWindowsQuery = { organization: { wide: { nodes: Array<{ restId: string }> } | null, narrow: { nodes: Array<{ restId: string }> } | null } };

export type StalePageQueryVariables = Exact<{
  org: string;
  after?: string | null | undefined;
}>;


export type StalePageQuery = { organization: { assistants: { nodes: Array<{ restId: string }>, pageInfo: { hasPreviousPage: boolean, hasNextPage: boolean } } | null } };

export type ServiceSdlQueryVariables = Exact<{ [key: string]: never; }>;


export type ServiceSdlQuery = { _service: { sdl: string | null } };

export type HooliViaConnectionQueryVariables = Exact<{ [key: string]: never; }>;


export type HooliViaConnectionQuery = { organization: { id: string, assistants: { nodes: Array<{ id: string, name: string, config: { language: string }, integrations: Array<{ id: string, integrationId: string }>, actions: Array<{ id: string, name: string }> }> } | null } };

export type EntitiesQueryVariables = Exact<{
  representations: Array<unknown> | unknown;
}>;


export type EntitiesQuery = { _entities: Array<
    | { id: string, name: string }
    | { id: string, name: string, config: { language: string }, integrations: Array<{ id: string, integrationId: string }>, actions: Array<{ id: string, name: string }> }
    | { id: string, integrationId: string }
    | { id: string, restId: string }
   | null> };

export type OrganizationEntitiesQueryVariables = Exact<{
  r: Array<unknown> | unknown;
}>;


export type OrganizationEntitiesQuery = { _entities: Array<
    | { restId: string }
    | Record<PropertyKey, never>
   | null> };

export type RefetchNamesQueryVariables = Exact<{
  ids: Array<string> | string;
}>;


export type RefetchNamesQuery = { nodes: Array<
    | { id: string }
    | { restId: string, name: string, id: string, organization: { restId: string } }
    | { id: string }
    | { id: string }
   | null>, organization: { restId: string } };

export type EntityNamesQueryVariables = Exact<{
  representations: Array<unknown> | unknown;
}>;


export type EntityNamesQuery = { _entities: Array<
    | { name: string }
    | { restId: string }
    | Record<PropertyKey, never>
   | null> };

export type NodesQueryVariables = Exact<{
  ids: Array<string> | string;
}>;


export type NodesQuery = { nodes: Array<
    | { __typename: 'Action', restId: string, actionId: string, id: string, assistant: { restId: string } }
    | { __typename: 'Assistant', restId: string, name: string, id: string, organization: { restId: string } }
    | { __typename: 'Integration', restId: string, integrationId: string, id: string, assistant: { restId: string } }
    | { __typename: 'Organization', restId: string, id: string }
   | null> };

export type NodeIdQueryVariables = Exact<{
  id: string;
}>;


export type NodeIdQuery = { node:
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
   | null };

export type HooliIdsQueryVariables = Exact<{ [key: string]: never; }>;


export type HooliIdsQuery = { organization: { id: string, assistants: { nodes: Array<{ id: string, restId: string, integrations: Array<{ id: string, restId: string }>, actions: Array<{ id: string, restId: string }> }> } | null } };

export type OrganizationNodeQueryVariables = Exact<{
  id: string;
}>;


export type OrganizationNodeQuery = { node:
    | { id: string }
    | { id: string }
    | { id: string }
    | { restId: string, id: string }
   | null };

export type CancelledAssistantsQueryVariables = Exact<{ [key: string]: never; }>;


export type CancelledAssistantsQuery = { organization: { assistants: { nodes: Array<{ restId: string }> } | null } };

export type TwoOrgsQueryVariables = Exact<{ [key: string]: never; }>;


export type TwoOrgsQuery = { broken: { restId: string, assistants: { nodes: Array<{ restId: string }> } | null }, healthy: { restId: string, assistants: { nodes: Array<{ restId: string }> } | null } };

export type OrgAssistantRestIdsQueryVariables = Exact<{
  org: string;
}>;


export type OrgAssistantRestIdsQuery = { organization: { assistants: { nodes: Array<{ restId: string }> } | null } };

export type FirstAcmeAssistantNameQueryVariables = Exact<{ [key: string]: never; }>;


export type FirstAcmeAssistantNameQuery = { organization: { assistants: { nodes: Array<{ name: string }> } | null } };

export type FailuresWithSecretsQueryVariables = Exact<{
  badId: string;
}>;


export type FailuresWithSecretsQuery = { a: { assistants: { nodes: Array<{ name: string, hasSecretKey: boolean }> } | null }, b: { assistants: { nodes: Array<{ name: string }> } | null }, c: { assistants: { nodes: Array<{ name: string }> } | null }, d: { assistants: { nodes: Array<{ name: string, hasSecretKey: boolean }> } | null }, e:
    | { id: string }
    | { id: string }
    | { id: string }
    | { id: string }
   | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AssistantFieldsFragmentDoc = new TypedDocumentString(`
    fragment AssistantFields on Assistant {
  id
  restId
  organization {
    id
    restId
  }
  name
  enabled
  avatarUrl
  hasSecretKey
  config {
    language
    model
    stt {
      model
    }
    tts {
      model
      voiceId
    }
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
    assistant {
      restId
    }
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
    assistant {
      restId
    }
    name
    enabled
    instructions
    actionId
    connectionId
    config {
      input
      definitions {
        path
        definition
      }
    }
    createdAt
    updatedAt
  }
  createdAt
  updatedAt
}
    `, {"fragmentName":"AssistantFields"}) as unknown as TypedDocumentString<AssistantFieldsFragment, unknown>;
export const InitechWindowNamesFragmentDoc = new TypedDocumentString(`
    fragment InitechWindowNames on Organization {
  assistants(first: 30) {
    nodes {
      name
    }
  }
}
    `, {"fragmentName":"InitechWindowNames"}) as unknown as TypedDocumentString<InitechWindowNamesFragment, unknown>;
export const MixedNodesDocument = new TypedDocumentString(`
    query MixedNodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on Assistant {
      restId
    }
    ... on Organization {
      restId
    }
  }
  organization(restId: "wayne") {
    restId
  }
}
    `, {"hash":"sha256:43d38e4f154848fd6e1bd9d2f6d36c3235b909c9f98f95d9ac5e1fc4c1bec545"}) as unknown as TypedDocumentString<MixedNodesQuery, MixedNodesQueryVariables>;
export const MixedEntitiesDocument = new TypedDocumentString(`
    query MixedEntities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Assistant {
      restId
    }
    ... on Organization {
      restId
    }
  }
}
    `, {"hash":"sha256:d055b1c88a50daadd647329210e2519163fe4e9f61da033b50a110d21c711e08"}) as unknown as TypedDocumentString<MixedEntitiesQuery, MixedEntitiesQueryVariables>;
export const PageDocument = new TypedDocumentString(`
    query Page($org: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  organization(restId: $org) {
    assistants(first: $first, after: $after, last: $last, before: $before) {
      edges {
        cursor
        node {
          restId
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
}
    `, {"hash":"sha256:acb5d42b7f721f7998eee7ecda9e46637b2c73cc94ad88d890aec83105f9b107"}) as unknown as TypedDocumentString<PageQuery, PageQueryVariables>;
export const FullPageDocument = new TypedDocumentString(`
    query FullPage($org: ID!, $first: Int) {
  organization(restId: $org) {
    id
    restId
    assistants(first: $first) {
      nodes {
        ...AssistantFields
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
      }
    }
  }
}
    fragment AssistantFields on Assistant {
  id
  restId
  organization {
    id
    restId
  }
  name
  enabled
  avatarUrl
  hasSecretKey
  config {
    language
    model
    stt {
      model
    }
    tts {
      model
      voiceId
    }
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
    assistant {
      restId
    }
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
    assistant {
      restId
    }
    name
    enabled
    instructions
    actionId
    connectionId
    config {
      input
      definitions {
        path
        definition
      }
    }
    createdAt
    updatedAt
  }
  createdAt
  updatedAt
}`, {"hash":"sha256:769d951446e207a6178a57e8fb287332be82b259ccd7fd4e2e12191926ab647b"}) as unknown as TypedDocumentString<FullPageQuery, FullPageQueryVariables>;
export const ForwardPageDocument = new TypedDocumentString(`
    query ForwardPage($first: Int!, $after: String!) {
  organization(restId: "initech") {
    assistants(first: $first, after: $after) {
      edges {
        cursor
        node {
          restId
        }
      }
      cursorCheck {
        status
        shift
      }
    }
  }
}
    `, {"hash":"sha256:db5b021af3984c8327211bc24a1db7df5aa1cdea0db3f3112deab257d13bb4bd"}) as unknown as TypedDocumentString<ForwardPageQuery, ForwardPageQueryVariables>;
export const InitechWindowDocument = new TypedDocumentString(`
    query InitechWindow {
  organization(restId: "initech") {
    assistants(first: 30) {
      nodes {
        name
      }
    }
  }
}
    `, {"hash":"sha256:211279df750848c3168c49fa053c5d4d4e447ec0e449ec66539d01f0e04f9ec7"}) as unknown as TypedDocumentString<InitechWindowQuery, InitechWindowQueryVariables>;
export const InitechWindowAliasesDocument = new TypedDocumentString(`
    query InitechWindowAliases {
  a: organization(restId: "initech") {
    assistants(first: 30) {
      nodes {
        restId
      }
    }
  }
  b: organization(restId: "initech") {
    assistants(first: 30) {
      edges {
        cursor
      }
    }
  }
  c: organization(restId: "initech") {
    assistants(first: 30) {
      pageInfo {
        hasNextPage
      }
    }
  }
  d: organization(restId: "initech") {
    ...InitechWindowNames
  }
}
    fragment InitechWindowNames on Organization {
  assistants(first: 30) {
    nodes {
      name
    }
  }
}`, {"hash":"sha256:05a1d681744504a2ada7f57c7b73659b777276de4c2df7302dfdbbf44897a74a"}) as unknown as TypedDocumentString<InitechWindowAliasesQuery, InitechWindowAliasesQueryVariables>;
export const FiveOrganizationsDocument = new TypedDocumentString(`
    query FiveOrganizations {
  a: organization(restId: "acme") {
    assistants(first: 5) {
      nodes {
        restId
      }
    }
  }
  b: organization(restId: "globex") {
    assistants(first: 5) {
      nodes {
        restId
      }
    }
  }
  c: organization(restId: "initech") {
    assistants(first: 5) {
      nodes {
        restId
      }
    }
  }
  d: organization(restId: "hooli") {
    assistants(first: 5) {
      nodes {
        restId
      }
    }
  }
  e: organization(restId: "wayne") {
    assistants(first: 5) {
      nodes {
        restId
      }
    }
  }
}
    `, {"hash":"sha256:4d6cc12f1a130604e419cb6c030dff1db506dc421fb0fc4c18e751712de1b666"}) as unknown as TypedDocumentString<FiveOrganizationsQuery, FiveOrganizationsQueryVariables>;
export const NestedWindowsDocument = new TypedDocumentString(`
    query NestedWindows($org: ID!) {
  organization(restId: $org) {
    wide: assistants(first: 30) {
      nodes {
        restId
      }
    }
    narrow: assistants(first: 10) {
      nodes {
        restId
      }
    }
  }
}
    `, {"hash":"sha256:160ec5a92f6dc59f913f79f49d33959c9c9315df8642269bd276112a041fabc6"}) as unknown as TypedDocumentString<NestedWindowsQuery, NestedWindowsQueryVariables>;
export const StalePageDocument = new TypedDocumentString(`
    query StalePage($org: ID!, $after: String) {
  organization(restId: $org) {
    assistants(first: 5, after: $after) {
      nodes {
        restId
      }
      pageInfo {
        hasPreviousPage
        hasNextPage
      }
    }
  }
}
    `, {"hash":"sha256:ea5091ce8c36fb86d3687cff15c117c698598a0ae4ea62b029c074c8d267b13d"}) as unknown as TypedDocumentString<StalePageQuery, StalePageQueryVariables>;
export const ServiceSdlDocument = new TypedDocumentString(`
    query ServiceSdl {
  _service {
    sdl
  }
}
    `, {"hash":"sha256:9f593fccd83143450d4421623f550922583e96c0bae7f6d5e8a25df3a33ad1f3"}) as unknown as TypedDocumentString<ServiceSdlQuery, ServiceSdlQueryVariables>;
export const HooliViaConnectionDocument = new TypedDocumentString(`
    query HooliViaConnection {
  organization(restId: "hooli") {
    id
    assistants(first: 5) {
      nodes {
        id
        name
        config {
          language
        }
        integrations {
          id
          integrationId
        }
        actions {
          id
          name
        }
      }
    }
  }
}
    `, {"hash":"sha256:1494cfcef97088c04ff123937073caf512322ab2ba6922ba78a4b42d40697f01"}) as unknown as TypedDocumentString<HooliViaConnectionQuery, HooliViaConnectionQueryVariables>;
export const EntitiesDocument = new TypedDocumentString(`
    query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Organization {
      id
      restId
    }
    ... on Assistant {
      id
      name
      config {
        language
      }
      integrations {
        id
        integrationId
      }
      actions {
        id
        name
      }
    }
    ... on Integration {
      id
      integrationId
    }
    ... on Action {
      id
      name
    }
  }
}
    `, {"hash":"sha256:2d8e1d46bab9c4683457570d199bb6435e1e1bb3c7fbb81582933443ccf3e600"}) as unknown as TypedDocumentString<EntitiesQuery, EntitiesQueryVariables>;
export const OrganizationEntitiesDocument = new TypedDocumentString(`
    query OrganizationEntities($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Organization {
      restId
    }
  }
}
    `, {"hash":"sha256:23d7f7bc6fc934607cca16b5e0a349757822fbaedc54894bf5621463000ae10a"}) as unknown as TypedDocumentString<OrganizationEntitiesQuery, OrganizationEntitiesQueryVariables>;
export const RefetchNamesDocument = new TypedDocumentString(`
    query RefetchNames($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on Assistant {
      restId
      name
      organization {
        restId
      }
    }
  }
  organization(restId: "acme") {
    restId
  }
}
    `, {"hash":"sha256:4c03ba0a9f3b3719ed15fe78f85bdfd1213828c23dde12a7a946603580578b39"}) as unknown as TypedDocumentString<RefetchNamesQuery, RefetchNamesQueryVariables>;
export const EntityNamesDocument = new TypedDocumentString(`
    query EntityNames($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Organization {
      restId
    }
    ... on Assistant {
      name
    }
  }
}
    `, {"hash":"sha256:fb7a2ab8505c6ffde9d8b507a9fa2a2fcc4670608e0972ffbeb1a453e0be3acd"}) as unknown as TypedDocumentString<EntityNamesQuery, EntityNamesQueryVariables>;
export const NodesDocument = new TypedDocumentString(`
    query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
    ... on Assistant {
      restId
      name
      organization {
        restId
      }
    }
    ... on Integration {
      restId
      integrationId
      assistant {
        restId
      }
    }
    ... on Action {
      restId
      actionId
      assistant {
        restId
      }
    }
    ... on Organization {
      restId
    }
  }
}
    `, {"hash":"sha256:8e95d059fc826fa82b50480b36575d371154b425d001841e95ab10a30557844d"}) as unknown as TypedDocumentString<NodesQuery, NodesQueryVariables>;
export const NodeIdDocument = new TypedDocumentString(`
    query NodeId($id: ID!) {
  node(id: $id) {
    id
  }
}
    `, {"hash":"sha256:37c1ec71c24fc2ae88d4e6e588762fda692d0dca7cdeeb2a79c982b0621b6bed"}) as unknown as TypedDocumentString<NodeIdQuery, NodeIdQueryVariables>;
export const HooliIdsDocument = new TypedDocumentString(`
    query HooliIds {
  organization(restId: "hooli") {
    id
    assistants(first: 5) {
      nodes {
        id
        restId
        integrations {
          id
          restId
        }
        actions {
          id
          restId
        }
      }
    }
  }
}
    `, {"hash":"sha256:046e81618c3d7200c546205eaec5bdf60a89867eef04d9fbb761a996ba26a7df"}) as unknown as TypedDocumentString<HooliIdsQuery, HooliIdsQueryVariables>;
export const OrganizationNodeDocument = new TypedDocumentString(`
    query OrganizationNode($id: ID!) {
  node(id: $id) {
    id
    ... on Organization {
      restId
    }
  }
}
    `, {"hash":"sha256:c68eb096b1969682a2a9bcae7d4b72a8e5785e5d429241d17cdbac93e0e13a8a"}) as unknown as TypedDocumentString<OrganizationNodeQuery, OrganizationNodeQueryVariables>;
export const CancelledAssistantsDocument = new TypedDocumentString(`
    query CancelledAssistants {
  organization(restId: "acme") {
    assistants {
      nodes {
        restId
      }
    }
  }
}
    `, {"hash":"sha256:010640ae9a5edc59957daab84e1f488cb1a98b23459028d1194783887828760a"}) as unknown as TypedDocumentString<CancelledAssistantsQuery, CancelledAssistantsQueryVariables>;
export const TwoOrgsDocument = new TypedDocumentString(`
    query TwoOrgs {
  broken: organization(restId: "acme") {
    restId
    assistants(first: 3) {
      nodes {
        restId
      }
    }
  }
  healthy: organization(restId: "wayne") {
    restId
    assistants(first: 3) {
      nodes {
        restId
      }
    }
  }
}
    `, {"hash":"sha256:b68b03caac8d4a0eeecd4280ba8cef116cfeb9e6458795962f19a47d2cc59621"}) as unknown as TypedDocumentString<TwoOrgsQuery, TwoOrgsQueryVariables>;
export const OrgAssistantRestIdsDocument = new TypedDocumentString(`
    query OrgAssistantRestIds($org: ID!) {
  organization(restId: $org) {
    assistants {
      nodes {
        restId
      }
    }
  }
}
    `, {"hash":"sha256:498f92ec3d6eb4b33e95d1538270229b4f2467ded5013ef66cde1ab5fc3312f7"}) as unknown as TypedDocumentString<OrgAssistantRestIdsQuery, OrgAssistantRestIdsQueryVariables>;
export const FirstAcmeAssistantNameDocument = new TypedDocumentString(`
    query FirstAcmeAssistantName {
  organization(restId: "acme") {
    assistants(first: 1) {
      nodes {
        name
      }
    }
  }
}
    `, {"hash":"sha256:b4572637318fbb2bafd4d8fdc3b3433d14f97a8bb21612ac7da30d1eb9f86add"}) as unknown as TypedDocumentString<FirstAcmeAssistantNameQuery, FirstAcmeAssistantNameQueryVariables>;
export const FailuresWithSecretsDocument = new TypedDocumentString(`
    query FailuresWithSecrets($badId: ID!) {
  a: organization(restId: "acme") {
    assistants {
      nodes {
        name
        hasSecretKey
      }
    }
  }
  b: organization(restId: "globex") {
    assistants {
      nodes {
        name
      }
    }
  }
  c: organization(restId: "initech") {
    assistants {
      nodes {
        name
      }
    }
  }
  d: organization(restId: "hooli") {
    assistants {
      nodes {
        name
        hasSecretKey
      }
    }
  }
  e: node(id: $badId) {
    id
  }
}
    `, {"hash":"sha256:5416640a60e603e50d01ff12dd25ba5722612f3dd6aa1ccdfea7cfef789aeab7"}) as unknown as TypedDocumentString<FailuresWithSecretsQuery, FailuresWithSecretsQueryVariables>;