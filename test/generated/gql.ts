/* eslint-disable */
import * as types from './graphql.ts';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment AssistantFields on Assistant {\n  id\n  restId\n  organization {\n    id\n    restId\n  }\n  name\n  enabled\n  avatarUrl\n  hasSecretKey\n  config {\n    language\n    model\n    stt {\n      model\n    }\n    tts {\n      model\n      voiceId\n    }\n    conversation {\n      threadMode\n      enableMemories\n      enableTransferToHumanTool\n      welcomeBanner\n      suggestedMessages\n      autoIntroMessage\n      enableEndConversationTool\n      enableBlockContactTool\n      enablePrivateChats\n    }\n    knowledgeScope\n    instructions\n  }\n  integrations {\n    id\n    restId\n    assistant {\n      restId\n    }\n    integrationId\n    enabled\n    connectionId\n    config\n    error\n    createdAt\n    updatedAt\n  }\n  actions {\n    id\n    restId\n    assistant {\n      restId\n    }\n    name\n    enabled\n    instructions\n    actionId\n    connectionId\n    config {\n      input\n      definitions {\n        path\n        definition\n      }\n    }\n    createdAt\n    updatedAt\n  }\n  createdAt\n  updatedAt\n}": typeof types.AssistantFieldsFragmentDoc,
    "\n  query MixedNodes($ids: [ID!]!) {\n    nodes(ids: $ids) { id ... on Assistant { restId } ... on Organization { restId } }\n    organization(restId: \"wayne\") { restId }\n  }\n": typeof types.MixedNodesDocument,
    "\n  query MixedEntities($representations: [_Any!]!) {\n    _entities(representations: $representations) { ... on Assistant { restId } ... on Organization { restId } }\n  }\n": typeof types.MixedEntitiesDocument,
    "\n  query Page($org: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n    organization(restId: $org) {\n      assistants(first: $first, after: $after, last: $last, before: $before) {\n        edges { cursor node { restId } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": typeof types.PageDocument,
    "\n  query FullPage($org: ID!, $first: Int) {\n    organization(restId: $org) {\n      id\n      restId\n      assistants(first: $first) {\n        nodes { ...AssistantFields }\n        pageInfo { hasNextPage hasPreviousPage }\n      }\n    }\n  }\n": typeof types.FullPageDocument,
    "\n  query ForwardPage($first: Int!, $after: String!) {\n    organization(restId: \"initech\") {\n      assistants(first: $first, after: $after) {\n        edges { cursor node { restId } }\n        cursorCheck { status shift }\n      }\n    }\n  }\n": typeof types.ForwardPageDocument,
    "\n      query InitechWindow { organization(restId: \"initech\") { assistants(first: 30) { nodes { name } } } }\n    ": typeof types.InitechWindowDocument,
    "\n        query InitechWindowAliases {\n          a: organization(restId: \"initech\") { assistants(first: 30) { nodes { restId } } }\n          b: organization(restId: \"initech\") { assistants(first: 30) { edges { cursor } } }\n          c: organization(restId: \"initech\") { assistants(first: 30) { pageInfo { hasNextPage } } }\n          d: organization(restId: \"initech\") { ...InitechWindowNames }\n        }\n        fragment InitechWindowNames on Organization { assistants(first: 30) { nodes { name } } }\n      ": typeof types.InitechWindowAliasesDocument,
    "\n          query FiveOrganizations {\n            a: organization(restId: \"acme\") { assistants(first: 5) { nodes { restId } } }\n            b: organization(restId: \"globex\") { assistants(first: 5) { nodes { restId } } }\n            c: organization(restId: \"initech\") { assistants(first: 5) { nodes { restId } } }\n            d: organization(restId: \"hooli\") { assistants(first: 5) { nodes { restId } } }\n            e: organization(restId: \"wayne\") { assistants(first: 5) { nodes { restId } } }\n          }\n        ": typeof types.FiveOrganizationsDocument,
    "\n  query NestedWindows($org: ID!) {\n    organization(restId: $org) {\n      wide: assistants(first: 30) { nodes { restId } }\n      narrow: assistants(first: 10) { nodes { restId } }\n    }\n  }\n": typeof types.NestedWindowsDocument,
    "\n  query StalePage($org: ID!, $after: String) {\n    organization(restId: $org) {\n      assistants(first: 5, after: $after) { nodes { restId } pageInfo { hasPreviousPage hasNextPage } }\n    }\n  }\n": typeof types.StalePageDocument,
    "\n  query ServiceSdl { _service { sdl } }\n": typeof types.ServiceSdlDocument,
    "\n          query HooliViaConnection {\n            organization(restId: \"hooli\") {\n              id\n              assistants(first: 5) { nodes { id name config { language } integrations { id integrationId } actions { id name } } }\n            }\n          }\n        ": typeof types.HooliViaConnectionDocument,
    "\n          query Entities($representations: [_Any!]!) {\n            _entities(representations: $representations) {\n              ... on Organization { id restId }\n              ... on Assistant { id name config { language } integrations { id integrationId } actions { id name } }\n              ... on Integration { id integrationId }\n              ... on Action { id name }\n            }\n          }\n        ": typeof types.EntitiesDocument,
    "\n        query OrganizationEntities($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { restId } } }\n      ": typeof types.OrganizationEntitiesDocument,
    "\n  query RefetchNames($ids: [ID!]!) {\n    nodes(ids: $ids) { id ... on Assistant { restId name organization { restId } } }\n    organization(restId: \"acme\") { restId }\n  }\n": typeof types.RefetchNamesDocument,
    "\n  query EntityNames($representations: [_Any!]!) {\n    _entities(representations: $representations) { ... on Organization { restId } ... on Assistant { name } }\n  }\n": typeof types.EntityNamesDocument,
    "\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      __typename\n      id\n      ... on Assistant { restId name organization { restId } }\n      ... on Integration { restId integrationId assistant { restId } }\n      ... on Action { restId actionId assistant { restId } }\n      ... on Organization { restId }\n    }\n  }\n": typeof types.NodesDocument,
    "\n  query NodeId($id: ID!) { node(id: $id) { id } }\n": typeof types.NodeIdDocument,
    "\n          query HooliIds {\n            organization(restId: \"hooli\") {\n              id\n              assistants(first: 5) { nodes { id restId integrations { id restId } actions { id restId } } }\n            }\n          }\n        ": typeof types.HooliIdsDocument,
    "\n          query OrganizationNode($id: ID!) { node(id: $id) { id ... on Organization { restId } } }\n        ": typeof types.OrganizationNodeDocument,
    "\n  query CancelledAssistants { organization(restId: \"acme\") { assistants { nodes { restId } } } }\n": typeof types.CancelledAssistantsDocument,
    "\n  query TwoOrgs {\n    broken: organization(restId: \"acme\") { restId assistants(first: 3) { nodes { restId } } }\n    healthy: organization(restId: \"wayne\") { restId assistants(first: 3) { nodes { restId } } }\n  }\n": typeof types.TwoOrgsDocument,
    "\n  query OrgAssistantRestIds($org: ID!) { organization(restId: $org) { assistants { nodes { restId } } } }\n": typeof types.OrgAssistantRestIdsDocument,
    "\n    query FirstAcmeAssistantName { organization(restId: \"acme\") { assistants(first: 1) { nodes { name } } } }\n  ": typeof types.FirstAcmeAssistantNameDocument,
    "\n        query FailuresWithSecrets($badId: ID!) {\n          a: organization(restId: \"acme\") { assistants { nodes { name hasSecretKey } } }\n          b: organization(restId: \"globex\") { assistants { nodes { name } } }\n          c: organization(restId: \"initech\") { assistants { nodes { name } } }\n          d: organization(restId: \"hooli\") { assistants { nodes { name hasSecretKey } } }\n          e: node(id: $badId) { id }\n        }\n      ": typeof types.FailuresWithSecretsDocument,
};
const documents: Documents = {
    "fragment AssistantFields on Assistant {\n  id\n  restId\n  organization {\n    id\n    restId\n  }\n  name\n  enabled\n  avatarUrl\n  hasSecretKey\n  config {\n    language\n    model\n    stt {\n      model\n    }\n    tts {\n      model\n      voiceId\n    }\n    conversation {\n      threadMode\n      enableMemories\n      enableTransferToHumanTool\n      welcomeBanner\n      suggestedMessages\n      autoIntroMessage\n      enableEndConversationTool\n      enableBlockContactTool\n      enablePrivateChats\n    }\n    knowledgeScope\n    instructions\n  }\n  integrations {\n    id\n    restId\n    assistant {\n      restId\n    }\n    integrationId\n    enabled\n    connectionId\n    config\n    error\n    createdAt\n    updatedAt\n  }\n  actions {\n    id\n    restId\n    assistant {\n      restId\n    }\n    name\n    enabled\n    instructions\n    actionId\n    connectionId\n    config {\n      input\n      definitions {\n        path\n        definition\n      }\n    }\n    createdAt\n    updatedAt\n  }\n  createdAt\n  updatedAt\n}": types.AssistantFieldsFragmentDoc,
    "\n  query MixedNodes($ids: [ID!]!) {\n    nodes(ids: $ids) { id ... on Assistant { restId } ... on Organization { restId } }\n    organization(restId: \"wayne\") { restId }\n  }\n": types.MixedNodesDocument,
    "\n  query MixedEntities($representations: [_Any!]!) {\n    _entities(representations: $representations) { ... on Assistant { restId } ... on Organization { restId } }\n  }\n": types.MixedEntitiesDocument,
    "\n  query Page($org: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n    organization(restId: $org) {\n      assistants(first: $first, after: $after, last: $last, before: $before) {\n        edges { cursor node { restId } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": types.PageDocument,
    "\n  query FullPage($org: ID!, $first: Int) {\n    organization(restId: $org) {\n      id\n      restId\n      assistants(first: $first) {\n        nodes { ...AssistantFields }\n        pageInfo { hasNextPage hasPreviousPage }\n      }\n    }\n  }\n": types.FullPageDocument,
    "\n  query ForwardPage($first: Int!, $after: String!) {\n    organization(restId: \"initech\") {\n      assistants(first: $first, after: $after) {\n        edges { cursor node { restId } }\n        cursorCheck { status shift }\n      }\n    }\n  }\n": types.ForwardPageDocument,
    "\n      query InitechWindow { organization(restId: \"initech\") { assistants(first: 30) { nodes { name } } } }\n    ": types.InitechWindowDocument,
    "\n        query InitechWindowAliases {\n          a: organization(restId: \"initech\") { assistants(first: 30) { nodes { restId } } }\n          b: organization(restId: \"initech\") { assistants(first: 30) { edges { cursor } } }\n          c: organization(restId: \"initech\") { assistants(first: 30) { pageInfo { hasNextPage } } }\n          d: organization(restId: \"initech\") { ...InitechWindowNames }\n        }\n        fragment InitechWindowNames on Organization { assistants(first: 30) { nodes { name } } }\n      ": types.InitechWindowAliasesDocument,
    "\n          query FiveOrganizations {\n            a: organization(restId: \"acme\") { assistants(first: 5) { nodes { restId } } }\n            b: organization(restId: \"globex\") { assistants(first: 5) { nodes { restId } } }\n            c: organization(restId: \"initech\") { assistants(first: 5) { nodes { restId } } }\n            d: organization(restId: \"hooli\") { assistants(first: 5) { nodes { restId } } }\n            e: organization(restId: \"wayne\") { assistants(first: 5) { nodes { restId } } }\n          }\n        ": types.FiveOrganizationsDocument,
    "\n  query NestedWindows($org: ID!) {\n    organization(restId: $org) {\n      wide: assistants(first: 30) { nodes { restId } }\n      narrow: assistants(first: 10) { nodes { restId } }\n    }\n  }\n": types.NestedWindowsDocument,
    "\n  query StalePage($org: ID!, $after: String) {\n    organization(restId: $org) {\n      assistants(first: 5, after: $after) { nodes { restId } pageInfo { hasPreviousPage hasNextPage } }\n    }\n  }\n": types.StalePageDocument,
    "\n  query ServiceSdl { _service { sdl } }\n": types.ServiceSdlDocument,
    "\n          query HooliViaConnection {\n            organization(restId: \"hooli\") {\n              id\n              assistants(first: 5) { nodes { id name config { language } integrations { id integrationId } actions { id name } } }\n            }\n          }\n        ": types.HooliViaConnectionDocument,
    "\n          query Entities($representations: [_Any!]!) {\n            _entities(representations: $representations) {\n              ... on Organization { id restId }\n              ... on Assistant { id name config { language } integrations { id integrationId } actions { id name } }\n              ... on Integration { id integrationId }\n              ... on Action { id name }\n            }\n          }\n        ": types.EntitiesDocument,
    "\n        query OrganizationEntities($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { restId } } }\n      ": types.OrganizationEntitiesDocument,
    "\n  query RefetchNames($ids: [ID!]!) {\n    nodes(ids: $ids) { id ... on Assistant { restId name organization { restId } } }\n    organization(restId: \"acme\") { restId }\n  }\n": types.RefetchNamesDocument,
    "\n  query EntityNames($representations: [_Any!]!) {\n    _entities(representations: $representations) { ... on Organization { restId } ... on Assistant { name } }\n  }\n": types.EntityNamesDocument,
    "\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      __typename\n      id\n      ... on Assistant { restId name organization { restId } }\n      ... on Integration { restId integrationId assistant { restId } }\n      ... on Action { restId actionId assistant { restId } }\n      ... on Organization { restId }\n    }\n  }\n": types.NodesDocument,
    "\n  query NodeId($id: ID!) { node(id: $id) { id } }\n": types.NodeIdDocument,
    "\n          query HooliIds {\n            organization(restId: \"hooli\") {\n              id\n              assistants(first: 5) { nodes { id restId integrations { id restId } actions { id restId } } }\n            }\n          }\n        ": types.HooliIdsDocument,
    "\n          query OrganizationNode($id: ID!) { node(id: $id) { id ... on Organization { restId } } }\n        ": types.OrganizationNodeDocument,
    "\n  query CancelledAssistants { organization(restId: \"acme\") { assistants { nodes { restId } } } }\n": types.CancelledAssistantsDocument,
    "\n  query TwoOrgs {\n    broken: organization(restId: \"acme\") { restId assistants(first: 3) { nodes { restId } } }\n    healthy: organization(restId: \"wayne\") { restId assistants(first: 3) { nodes { restId } } }\n  }\n": types.TwoOrgsDocument,
    "\n  query OrgAssistantRestIds($org: ID!) { organization(restId: $org) { assistants { nodes { restId } } } }\n": types.OrgAssistantRestIdsDocument,
    "\n    query FirstAcmeAssistantName { organization(restId: \"acme\") { assistants(first: 1) { nodes { name } } } }\n  ": types.FirstAcmeAssistantNameDocument,
    "\n        query FailuresWithSecrets($badId: ID!) {\n          a: organization(restId: \"acme\") { assistants { nodes { name hasSecretKey } } }\n          b: organization(restId: \"globex\") { assistants { nodes { name } } }\n          c: organization(restId: \"initech\") { assistants { nodes { name } } }\n          d: organization(restId: \"hooli\") { assistants { nodes { name hasSecretKey } } }\n          e: node(id: $badId) { id }\n        }\n      ": types.FailuresWithSecretsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment AssistantFields on Assistant {\n  id\n  restId\n  organization {\n    id\n    restId\n  }\n  name\n  enabled\n  avatarUrl\n  hasSecretKey\n  config {\n    language\n    model\n    stt {\n      model\n    }\n    tts {\n      model\n      voiceId\n    }\n    conversation {\n      threadMode\n      enableMemories\n      enableTransferToHumanTool\n      welcomeBanner\n      suggestedMessages\n      autoIntroMessage\n      enableEndConversationTool\n      enableBlockContactTool\n      enablePrivateChats\n    }\n    knowledgeScope\n    instructions\n  }\n  integrations {\n    id\n    restId\n    assistant {\n      restId\n    }\n    integrationId\n    enabled\n    connectionId\n    config\n    error\n    createdAt\n    updatedAt\n  }\n  actions {\n    id\n    restId\n    assistant {\n      restId\n    }\n    name\n    enabled\n    instructions\n    actionId\n    connectionId\n    config {\n      input\n      definitions {\n        path\n        definition\n      }\n    }\n    createdAt\n    updatedAt\n  }\n  createdAt\n  updatedAt\n}"): typeof import('./graphql.ts').AssistantFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MixedNodes($ids: [ID!]!) {\n    nodes(ids: $ids) { id ... on Assistant { restId } ... on Organization { restId } }\n    organization(restId: \"wayne\") { restId }\n  }\n"): typeof import('./graphql.ts').MixedNodesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MixedEntities($representations: [_Any!]!) {\n    _entities(representations: $representations) { ... on Assistant { restId } ... on Organization { restId } }\n  }\n"): typeof import('./graphql.ts').MixedEntitiesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Page($org: ID!, $first: Int, $after: String, $last: Int, $before: String) {\n    organization(restId: $org) {\n      assistants(first: $first, after: $after, last: $last, before: $before) {\n        edges { cursor node { restId } }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').PageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FullPage($org: ID!, $first: Int) {\n    organization(restId: $org) {\n      id\n      restId\n      assistants(first: $first) {\n        nodes { ...AssistantFields }\n        pageInfo { hasNextPage hasPreviousPage }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').FullPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ForwardPage($first: Int!, $after: String!) {\n    organization(restId: \"initech\") {\n      assistants(first: $first, after: $after) {\n        edges { cursor node { restId } }\n        cursorCheck { status shift }\n      }\n    }\n  }\n"): typeof import('./graphql.ts').ForwardPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n      query InitechWindow { organization(restId: \"initech\") { assistants(first: 30) { nodes { name } } } }\n    "): typeof import('./graphql.ts').InitechWindowDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query InitechWindowAliases {\n          a: organization(restId: \"initech\") { assistants(first: 30) { nodes { restId } } }\n          b: organization(restId: \"initech\") { assistants(first: 30) { edges { cursor } } }\n          c: organization(restId: \"initech\") { assistants(first: 30) { pageInfo { hasNextPage } } }\n          d: organization(restId: \"initech\") { ...InitechWindowNames }\n        }\n        fragment InitechWindowNames on Organization { assistants(first: 30) { nodes { name } } }\n      "): typeof import('./graphql.ts').InitechWindowAliasesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          query FiveOrganizations {\n            a: organization(restId: \"acme\") { assistants(first: 5) { nodes { restId } } }\n            b: organization(restId: \"globex\") { assistants(first: 5) { nodes { restId } } }\n            c: organization(restId: \"initech\") { assistants(first: 5) { nodes { restId } } }\n            d: organization(restId: \"hooli\") { assistants(first: 5) { nodes { restId } } }\n            e: organization(restId: \"wayne\") { assistants(first: 5) { nodes { restId } } }\n          }\n        "): typeof import('./graphql.ts').FiveOrganizationsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NestedWindows($org: ID!) {\n    organization(restId: $org) {\n      wide: assistants(first: 30) { nodes { restId } }\n      narrow: assistants(first: 10) { nodes { restId } }\n    }\n  }\n"): typeof import('./graphql.ts').NestedWindowsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StalePage($org: ID!, $after: String) {\n    organization(restId: $org) {\n      assistants(first: 5, after: $after) { nodes { restId } pageInfo { hasPreviousPage hasNextPage } }\n    }\n  }\n"): typeof import('./graphql.ts').StalePageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ServiceSdl { _service { sdl } }\n"): typeof import('./graphql.ts').ServiceSdlDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          query HooliViaConnection {\n            organization(restId: \"hooli\") {\n              id\n              assistants(first: 5) { nodes { id name config { language } integrations { id integrationId } actions { id name } } }\n            }\n          }\n        "): typeof import('./graphql.ts').HooliViaConnectionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          query Entities($representations: [_Any!]!) {\n            _entities(representations: $representations) {\n              ... on Organization { id restId }\n              ... on Assistant { id name config { language } integrations { id integrationId } actions { id name } }\n              ... on Integration { id integrationId }\n              ... on Action { id name }\n            }\n          }\n        "): typeof import('./graphql.ts').EntitiesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query OrganizationEntities($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { restId } } }\n      "): typeof import('./graphql.ts').OrganizationEntitiesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RefetchNames($ids: [ID!]!) {\n    nodes(ids: $ids) { id ... on Assistant { restId name organization { restId } } }\n    organization(restId: \"acme\") { restId }\n  }\n"): typeof import('./graphql.ts').RefetchNamesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EntityNames($representations: [_Any!]!) {\n    _entities(representations: $representations) { ... on Organization { restId } ... on Assistant { name } }\n  }\n"): typeof import('./graphql.ts').EntityNamesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Nodes($ids: [ID!]!) {\n    nodes(ids: $ids) {\n      __typename\n      id\n      ... on Assistant { restId name organization { restId } }\n      ... on Integration { restId integrationId assistant { restId } }\n      ... on Action { restId actionId assistant { restId } }\n      ... on Organization { restId }\n    }\n  }\n"): typeof import('./graphql.ts').NodesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodeId($id: ID!) { node(id: $id) { id } }\n"): typeof import('./graphql.ts').NodeIdDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          query HooliIds {\n            organization(restId: \"hooli\") {\n              id\n              assistants(first: 5) { nodes { id restId integrations { id restId } actions { id restId } } }\n            }\n          }\n        "): typeof import('./graphql.ts').HooliIdsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n          query OrganizationNode($id: ID!) { node(id: $id) { id ... on Organization { restId } } }\n        "): typeof import('./graphql.ts').OrganizationNodeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CancelledAssistants { organization(restId: \"acme\") { assistants { nodes { restId } } } }\n"): typeof import('./graphql.ts').CancelledAssistantsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TwoOrgs {\n    broken: organization(restId: \"acme\") { restId assistants(first: 3) { nodes { restId } } }\n    healthy: organization(restId: \"wayne\") { restId assistants(first: 3) { nodes { restId } } }\n  }\n"): typeof import('./graphql.ts').TwoOrgsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrgAssistantRestIds($org: ID!) { organization(restId: $org) { assistants { nodes { restId } } } }\n"): typeof import('./graphql.ts').OrgAssistantRestIdsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n    query FirstAcmeAssistantName { organization(restId: \"acme\") { assistants(first: 1) { nodes { name } } } }\n  "): typeof import('./graphql.ts').FirstAcmeAssistantNameDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n        query FailuresWithSecrets($badId: ID!) {\n          a: organization(restId: \"acme\") { assistants { nodes { name hasSecretKey } } }\n          b: organization(restId: \"globex\") { assistants { nodes { name } } }\n          c: organization(restId: \"initech\") { assistants { nodes { name } } }\n          d: organization(restId: \"hooli\") { assistants { nodes { name hasSecretKey } } }\n          e: node(id: $badId) { id }\n        }\n      "): typeof import('./graphql.ts').FailuresWithSecretsDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
