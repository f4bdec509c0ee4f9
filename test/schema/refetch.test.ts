import { describe, expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { encodeGlobalId } from '../../src/schema/global-id.ts';
import { graphql } from '../generated/index.ts';
import { dataOf, present, startTestGateway } from '../helpers/gateway.ts';
import { holdEach } from '../helpers/waits.ts';

const seed = createSeedData();
const initech = seed.get('initech') ?? [];
const globex = seed.get('globex') ?? [];

const assistantId = (org: string, id: string) => encodeGlobalId('Assistant', `${org}/${id}`);

const nodesQuery = graphql(`
  query Nodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      id
      ... on Assistant { restId name organization { restId } }
      ... on Integration { restId integrationId assistant { restId } }
      ... on Action { restId actionId assistant { restId } }
      ... on Organization { restId }
    }
  }
`);

const nodeIdQuery = graphql(`
  query NodeId($id: ID!) { node(id: $id) { id } }
`);

describe('refetching by global id', () => {
  it('refetches every kind of node with the id the connection served', async () => {
    await using gateway = await startTestGateway();
    const data = dataOf(
      await gateway.query(
        graphql(`
          query HooliIds {
            organization(restId: "hooli") {
              id
              assistants(first: 5) { nodes { id restId integrations { id restId } actions { id restId } } }
            }
          }
        `),
      ),
    );
    const org = data.organization;
    const assistants = present(org.assistants, 'assistants').nodes;
    const withChildren = present(
      assistants.find((a) => a.integrations.length > 0),
      'an assistant with integrations',
    );
    const withActions = present(
      assistants.find((a) => a.actions.length > 0),
      'an assistant with actions',
    );
    const integration = present(withChildren.integrations[0], 'integration');
    const action = present(withActions.actions[0], 'action');
    const ids = [org.id, withChildren.id, integration.id, action.id];

    const refetched = dataOf(await gateway.query(nodesQuery, { ids }));
    expect(refetched.nodes).toEqual([
      { __typename: 'Organization', id: org.id, restId: 'hooli' },
      {
        __typename: 'Assistant',
        id: withChildren.id,
        restId: withChildren.restId,
        name: expect.any(String),
        organization: { restId: 'hooli' },
      },
      {
        __typename: 'Integration',
        id: integration.id,
        restId: integration.restId,
        integrationId: expect.any(String),
        assistant: { restId: withChildren.restId },
      },
      {
        __typename: 'Action',
        id: action.id,
        restId: action.restId,
        actionId: expect.any(String),
        assistant: { restId: withActions.restId },
      },
    ]);
  });

  it('resolves an Organization id with no upstream call', async () => {
    await using gateway = await startTestGateway();
    const id = encodeGlobalId('Organization', 'acme');
    const data = dataOf(
      await gateway.query(
        graphql(`
          query OrganizationNode($id: ID!) { node(id: $id) { id ... on Organization { restId } } }
        `),
        { id },
      ),
    );
    expect(data.node).toEqual({ id, restId: 'acme' });
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('costs one scan of the org for many ids of it, and scans two orgs concurrently', async () => {
    await using gateway = await startTestGateway();
    // Assistants deep in initech (pages 1-3 at take 100) and in globex (page 1).
    const wanted = [...[5, 150, 170, 260, 10].map((i) => initech[i]), ...[0, 30].map((i) => globex[i])] as {
      id: string;
    }[];
    const ids = wanted.map((assistant, i) => assistantId(i < 5 ? 'initech' : 'globex', assistant.id));
    // Each org's first page is held until both have been asked for: the two scans run at once.
    const firstPages = holdEach(gateway.upstream, ['initech', 'globex']);
    const answer = gateway.query(nodesQuery, { ids });
    await firstPages.arrived;
    firstPages.release();
    const data = dataOf(await answer);
    expect(data.nodes.map((node) => node?.restId)).toEqual(wanted.map((a) => a.id));

    const byOrg = (org: string) => gateway.upstream.requests.filter((request) => request.orgId === org);
    // initech's wanted ids end on page 3 of take 100: three pages, each once.
    expect(byOrg('initech').map((request) => `${request.page}/${request.take}`)).toEqual(['1/100', '2/100', '3/100']);
    expect(byOrg('globex').map((request) => `${request.page}/${request.take}`)).toEqual(['1/100']);
    expect(gateway.upstream.peakConcurrency).toBe(2);
  });

  it('answers null for a well-formed id that is not found, and BAD_USER_INPUT for a malformed one', async () => {
    await using gateway = await startTestGateway();
    const missing = [
      assistantId('acme', 'asst_doesnotexist'),
      encodeGlobalId('Integration', `acme/${seed.get('acme')?.[0]?.id}/int_missing`),
      encodeGlobalId('Action', 'acme/asst_nope/act_nope'),
    ];
    const found = await gateway.query(nodesQuery, { ids: missing });
    expect(found).toEqual({ data: { nodes: [null, null, null] } });

    for (const malformed of [
      'garbage',
      encodeGlobalId('Spaceship', 'x'),
      encodeGlobalId('Assistant', 'no-slash'),
      encodeGlobalId('Assistant', 'a/%E0%A4%A'),
    ]) {
      const { errors } = await gateway.query(nodeIdQuery, { id: malformed });
      expect(errors?.[0]?.extensions?.code, malformed).toBe('BAD_USER_INPUT');
    }
  });

  it('refuses Organization ids that cannot be one path segment', async () => {
    await using gateway = await startTestGateway();
    for (const restId of ['..', '.']) {
      const { errors } = await gateway.query(nodeIdQuery, {
        id: encodeGlobalId('Organization', encodeURIComponent(restId)),
      });
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(gateway.upstream.requests).toHaveLength(0);
  });

  it('fails each id of a failed org on its own, whatever the mix of types and duplicates', async () => {
    await using gateway = await startTestGateway();
    gateway.upstream.inject({ orgId: 'hooli', status: 403 });
    const hooli = seed.get('hooli') ?? [];
    const owner = present(
      hooli.find((a) => a.integrations.length > 0 && a.actions.length > 0),
      'an assistant with integrations and actions',
    );
    const assistant = assistantId('hooli', owner.id);
    const integration = encodeGlobalId('Integration', `hooli/${owner.id}/${owner.integrations[0]?.id}`);
    const action = encodeGlobalId('Action', `hooli/${owner.id}/${owner.actions[0]?.id}`);
    // One failed scan answers every type of node in the org: each entry must fail with its own error.
    const ids = [
      assistant,
      integration,
      action,
      assistant,
      integration,
      assistantId('initech', initech[0]?.id as string),
    ];
    const { data, errors } = await gateway.query(nodesQuery, { ids });
    expect(data?.nodes.map((node) => node?.restId ?? null)).toEqual([null, null, null, null, null, initech[0]?.id]);
    expect(errors?.map((error) => [error.path, error.extensions?.code])).toEqual(
      [0, 1, 2, 3, 4].map((index) => [['nodes', index], 'FORBIDDEN']),
    );
  });

  it('nulls only the ids of an org whose scan failed', async () => {
    await using gateway = await startTestGateway();
    gateway.upstream.inject({ orgId: 'globex', status: 500 });
    const ids = [assistantId('initech', initech[0]?.id as string), assistantId('globex', globex[0]?.id as string)];
    const { data, errors } = await gateway.query(nodesQuery, { ids });
    expect(data?.nodes[0]?.restId).toBe(initech[0]?.id);
    expect(data?.nodes[1]).toBeNull();
    expect(errors?.map((error) => [error.path, error.extensions?.code])).toEqual([[['nodes', 1], 'UPSTREAM_ERROR']]);
  });

  it('queues refetch scans past REFETCH_MAX_SCANS, and refuses them past REFETCH_MAX_WAITING', async () => {
    await using gateway = await startTestGateway({
      env: { REFETCH_MAX_SCANS: '1', REFETCH_MAX_WAITING: '0' },
    });
    // The first scan is held at the upstream while a second one is asked for.
    const running = gateway.upstream.hold('initech');
    const first = gateway.query(nodesQuery, { ids: [assistantId('initech', initech[0]?.id as string)] });
    await running.arrived;
    const refused = await gateway.query(nodesQuery, { ids: [assistantId('globex', globex[0]?.id as string)] });
    expect(refused.data?.nodes).toEqual([null]);
    expect(refused.errors?.map((error) => error.extensions)).toEqual([
      { code: 'LIMIT_EXCEEDED', reason: 'REFETCH_MAX_WAITING' },
    ]);
    running.release();
    expect(dataOf(await first).nodes[0]?.restId).toBe(initech[0]?.id);
    // Once the running scan is done, the next one is served.
    expect(
      dataOf(await gateway.query(nodesQuery, { ids: [assistantId('globex', globex[0]?.id as string)] })).nodes[0]
        ?.restId,
    ).toBe(globex[0]?.id);
  });

  it('reads a page once when a refetch scan and a connection of the same request both need it', async () => {
    await using gateway = await startTestGateway();
    const { data, errors } = await gateway.query(
      'query ($id: ID!) { node(id: $id) { ... on Assistant { organization { assistants(first: 99) { nodes { restId } } } } } }',
      { id: assistantId('globex', globex[3]?.id as string) },
    );
    expect(errors).toBeUndefined();
    expect(data.node.organization.assistants.nodes).toHaveLength(globex.length);
    expect(gateway.upstream.requests.map((request) => `${request.orgId} ${request.page}/${request.take}`)).toEqual([
      'globex 1/100',
    ]);
  });

  it('answers the same id asked twice in one request, through node and nodes', async () => {
    await using gateway = await startTestGateway();
    const ids = {
      assistant: assistantId('globex', globex[2]?.id as string),
      organization: encodeGlobalId('Organization', 'globex'),
    };
    for (const id of Object.values(ids)) {
      const { data, errors } = await gateway.query(
        'query ($id: ID!) { x: nodes(ids: [$id]) { id } y: node(id: $id) { id } z: node(id: $id) { id } }',
        { id },
      );
      expect(errors, id).toBeUndefined();
      expect(data).toEqual({ x: [{ id }], y: { id }, z: { id } });
    }
  });
});
