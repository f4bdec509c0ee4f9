// The gateway as an Apollo Federation v2 subgraph, proven with real tooling:
// The Guild's composition library builds a supergraph from our served SDL and
// a second subgraph written here, and Hive Gateway's runtime serves it.

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { graphql } from '../generated/index.ts';
import {
  createRecordingLogger,
  dataOf,
  type GraphQLResponse,
  present,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.ts';

const seed = createSeedData();

/** Our served subgraph SDL. (The reviews subgraph and the supergraph have other schemas: their queries stay strings.) */
const serviceSdl = graphql(`
  query ServiceSdl { _service { sdl } }
`);

const assistantsOf = (org: string) => (seed.get(org) ?? []).slice(0, 5).map((assistant) => ({ org, assistant }));
/** Ten assistants of two orgs, each reviewed once by the second subgraph. */
const reviewed = [...assistantsOf('acme'), ...assistantsOf('globex')].map(({ org, assistant }, i) => ({
  rating: (i % 5) + 1,
  org,
  assistantId: encodeGlobalId('Assistant', `${org}/${assistant.id}`),
  name: assistant.name,
}));

/** A second subgraph: reviews of assistants, and a billing plan for each organization by restId. */
async function startReviewsSubgraph() {
  const schema = buildSubgraphSchema({
    typeDefs: parse(/* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
      type Organization @key(fields: "restId") {
        restId: ID!
        plan: String!
      }
      type Assistant @key(fields: "id", resolvable: false) {
        id: ID!
      }
      type Review {
        rating: Int!
        assistant: Assistant!
      }
      type Query {
        reviews: [Review!]!
      }
    `),
    resolvers: {
      Query: {
        reviews: () => reviewed.map(({ rating, assistantId }) => ({ rating, assistant: { id: assistantId } })),
      },
      Organization: {
        __resolveReference: (org: { restId: string }) => ({ restId: org.restId, plan: `plan-of-${org.restId}` }),
      },
    },
  });
  const server = createServer(createYoga({ schema, logging: false }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    [Symbol.asyncDispose]: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

async function composeWith(assistants: TestGateway, reviewsUrl: string) {
  const data = dataOf(await assistants.query(serviceSdl));
  const reviewsSdl = await fetch(reviewsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  }).then(async (response) => ((await response.json()) as { data: { _service: { sdl: string } } }).data._service.sdl);
  return composeServices([
    { name: 'assistants', typeDefs: parse(present(data._service.sdl, 'sdl')), url: assistants.url },
    { name: 'reviews', typeDefs: parse(reviewsSdl), url: reviewsUrl },
  ]);
}

describe('federation', () => {
  it('declares every entity key of the contract in _service.sdl', async () => {
    await using gateway = await startTestGateway();
    const data = dataOf(await gateway.query(serviceSdl));
    const sdl: string = present(data._service.sdl, 'sdl');
    expect(sdl).toMatch(/extend schema\s+@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/);
    expect(sdl).toMatch(/type Organization implements Node\s+@key\(fields: "id"\)\s+@key\(fields: "restId"\)/);
    for (const type of ['Assistant', 'Integration', 'Action']) {
      expect(sdl).toMatch(new RegExp(`type ${type} implements Node\\s+@key\\(fields: "id"\\)`));
    }
  });

  it('composes with another subgraph and answers queries that cross both', async () => {
    await using assistants = await startTestGateway();
    await using reviews = await startReviewsSubgraph();
    const composition = await composeWith(assistants, reviews.url);
    expect(composition.errors ?? []).toEqual([]);
    expect(composition.supergraphSdl).toBeTypeOf('string');

    await using supergraph = createGatewayRuntime({ supergraph: composition.supergraphSdl as string, logging: false });
    const run = async (query: string) => {
      const response = await supergraph.fetch('http://supergraph.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as GraphQLResponse;
    };

    // Our connection, extended with the other subgraph's field by restId.
    const orgs = await run(/* GraphQL */ `{
      organization(restId: "wayne") { restId plan assistants(first: 2) { nodes { name } } }
    }`);
    expect(orgs).toEqual({
      data: {
        organization: {
          restId: 'wayne',
          plan: 'plan-of-wayne',
          assistants: { nodes: (seed.get('wayne') ?? []).slice(0, 2).map(({ name }) => ({ name })) },
        },
      },
    });

    // The other subgraph's list, resolved through our _entities.
    assistants.upstream.reset();
    const byReview = await run('{ reviews { rating assistant { name organization { restId } } } }');
    expect(byReview.errors).toBeUndefined();
    expect(byReview.data.reviews).toEqual(
      reviewed.map(({ rating, name, org }) => ({ rating, assistant: { name, organization: { restId: org } } })),
    );
    // Ten assistants of two orgs cost one scan of each, no more.
    expect(
      assistants.upstream.requests.map((request) => `${request.orgId}:${request.page}/${request.take}`).sort(),
    ).toEqual(['acme:1/100', 'globex:1/100']);
  });

  it('shares PageInfo with another Relay subgraph', async () => {
    await using gateway = await startTestGateway();
    const { data } = await gateway.query(serviceSdl);
    const otherRelaySubgraph = parse(/* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@shareable"])
      type PageInfo @shareable {
        hasNextPage: Boolean!
        hasPreviousPage: Boolean!
        startCursor: String
        endCursor: String
      }
      type TicketConnection { pageInfo: PageInfo! }
      type Query { tickets: TicketConnection! }
    `);
    const composition = composeServices([
      {
        name: 'assistants',
        typeDefs: parse(present(data?._service.sdl, 'sdl')),
        url: 'http://assistants.test/graphql',
      },
      { name: 'tickets', typeDefs: otherRelaySubgraph, url: 'http://tickets.test/graphql' },
    ]);
    expect(composition.errors ?? []).toEqual([]);
  });

  it('answers _entities with the same data as the connection, and null for ids not found', async () => {
    await using gateway = await startTestGateway();
    const viaConnection = dataOf(
      await gateway.query(
        graphql(`
          query HooliViaConnection {
            organization(restId: "hooli") {
              id
              assistants(first: 5) { nodes { id name config { language } integrations { id integrationId } actions { id name } } }
            }
          }
        `),
      ),
    );
    const nodes = present(viaConnection.organization.assistants, 'assistants').nodes;
    const withIntegration = present(
      nodes.find((node) => node.integrations.length > 0),
      'an assistant with integrations',
    );
    const withAction = present(
      nodes.find((node) => node.actions.length > 0),
      'an assistant with actions',
    );
    const integration = present(withIntegration.integrations[0], 'integration');
    const action = present(withAction.actions[0], 'action');
    const representations = [
      { __typename: 'Organization', restId: 'hooli' },
      { __typename: 'Organization', id: viaConnection.organization.id },
      ...nodes.map((node) => ({ __typename: 'Assistant', id: node.id })),
      { __typename: 'Integration', id: integration.id },
      { __typename: 'Action', id: action.id },
      { __typename: 'Assistant', id: encodeGlobalId('Assistant', 'hooli/asst_gone') },
    ];
    gateway.upstream.reset();
    const data = dataOf(
      await gateway.query(
        graphql(`
          query Entities($representations: [_Any!]!) {
            _entities(representations: $representations) {
              ... on Organization { id restId }
              ... on Assistant { id name config { language } integrations { id integrationId } actions { id name } }
              ... on Integration { id integrationId }
              ... on Action { id name }
            }
          }
        `),
        { representations },
      ),
    );
    expect(data._entities).toEqual([
      { id: viaConnection.organization.id, restId: 'hooli' },
      { id: viaConnection.organization.id, restId: 'hooli' },
      ...nodes,
      integration,
      action,
      null,
    ]);
    expect(gateway.upstream.requests).toHaveLength(1);
  });

  it('fails only the entity whose id is malformed', async () => {
    await using gateway = await startTestGateway();
    const { data, errors } = await gateway.query(
      graphql(`
        query OrganizationEntities($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { restId } } }
      `),
      {
        r: [
          { __typename: 'Organization', restId: 'acme' },
          { __typename: 'Assistant', id: 'garbage' },
          { __typename: 'Action', id: encodeGlobalId('Assistant', 'acme/x') },
        ],
      },
    );
    expect(data?._entities).toEqual([{ restId: 'acme' }, null, null]);
    expect(errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['_entities', 1], 'BAD_USER_INPUT'],
      [['_entities', 2], 'BAD_USER_INPUT'],
    ]);
  });

  it('fails only the representation whose __typename is unknown or missing, and logs no stack trace', async () => {
    const logger = createRecordingLogger();
    await using gateway = await startTestGateway({ logger });
    const { data, errors } = await gateway.query(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { restId } } }',
      {
        r: [
          { __typename: 'Spaceship', id: 'x' },
          { __typename: 'Organization', restId: 'acme' },
          { restId: 'globex' },
          { __typename: 'PageInfo', hasNextPage: true },
          'not an object',
          { __typename: 'Organization', restId: 'wayne' },
        ],
      },
    );
    expect(data?._entities).toEqual([null, { restId: 'acme' }, null, null, null, { restId: 'wayne' }]);
    expect(errors?.map((error) => [error.path, error.extensions?.code])).toEqual(
      [0, 2, 3, 4].map((index) => [['_entities', index], 'BAD_USER_INPUT']),
    );
    expect(errors?.[0]?.message).toBe('"Spaceship" is not an entity type of this subgraph');
    expect(logger.records().filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });

  it('takes at most MAX_ENTITIES representations (100 by default)', async () => {
    await using gateway = await startTestGateway();
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { restId } } }';
    const representations = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ __typename: 'Organization', restId: `org${i}` }));

    const hundred = await gateway.query(query, { r: representations(100) });
    expect(hundred.errors).toBeUndefined();
    expect(hundred.data?._entities).toHaveLength(100);

    const thousand = await gateway.query(query, { r: representations(1_000) });
    expect(thousand.data).toBeNull();
    expect(thousand.errors?.map((error) => [error.extensions?.code, error.extensions?.reason])).toEqual([
      ['LIMIT_EXCEEDED', 'MAX_ENTITIES'],
    ]);
    expect(thousand.errors?.[0]?.message).toBe('_entities takes at most 100 representations, got 1000');
  });
});
