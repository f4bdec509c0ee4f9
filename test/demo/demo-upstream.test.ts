import { get as httpGet } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { type DemoUpstream, faultMenu, seedEtag, startDemoUpstream } from '../../src/demo/upstream.ts';
import type { WireAssistant } from '../../src/demo/wire.ts';
import { decodeAssistantList } from '../../src/upstream/decode.ts';

const seed = createSeedData();

function seeded(orgId: string): WireAssistant[] {
  const assistants = seed.get(orgId);
  if (!assistants) throw new Error(`no seed org ${orgId}`);
  return assistants;
}

function get(upstream: DemoUpstream, path: string, init?: RequestInit): Promise<Response> {
  return fetch(`${upstream.url}${path}`, init);
}

async function json(response: Response): Promise<unknown> {
  return JSON.parse(await response.text());
}

describe('paging', () => {
  it('answers a bare JSON array holding the requested slice', async () => {
    await using upstream = await startDemoUpstream();
    const response = await get(upstream, '/orgs/acme/assistants?page=2&take=5');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json(response)).toEqual(seeded('acme').slice(5, 10));
  });

  it('answers a short last page and empty pages past the end', async () => {
    await using upstream = await startDemoUpstream();

    expect(await json(await get(upstream, '/orgs/acme/assistants?page=3&take=5'))).toEqual(seeded('acme').slice(10));
    expect(await json(await get(upstream, '/orgs/acme/assistants?page=4&take=5'))).toEqual([]);
    expect(await json(await get(upstream, '/orgs/umbrella/assistants'))).toEqual([]);
  });

  it('defaults to the first page of 20', async () => {
    await using upstream = await startDemoUpstream();

    expect(await json(await get(upstream, '/orgs/initech/assistants'))).toEqual(seeded('initech').slice(0, 20));
    expect(upstream.requests[0]).toMatchObject({ page: null, take: null });
  });

  it.each([
    'page=0',
    'page=-1',
    'page=abc',
    'page=1.5',
    'page=',
    'take=0',
    'take=-3',
    'take=101',
    'take=ten',
    'take=2e1',
  ])('answers 400 for %s', async (query) => {
    await using upstream = await startDemoUpstream();
    const response = await get(upstream, `/orgs/acme/assistants?${query}`);

    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ error: 'bad_request', message: expect.any(String) });
  });

  it('honours maxTake', async () => {
    await using upstream = await startDemoUpstream({ maxTake: 10 });

    expect((await get(upstream, '/orgs/globex/assistants?take=10')).status).toBe(200);
    expect((await get(upstream, '/orgs/globex/assistants?take=11')).status).toBe(400);
  });

  it('counts pages from pageBase 0', async () => {
    await using upstream = await startDemoUpstream({ pageBase: 0 });

    expect(await json(await get(upstream, '/orgs/globex/assistants?page=0&take=10'))).toEqual(
      seeded('globex').slice(0, 10),
    );
    expect(await json(await get(upstream, '/orgs/globex/assistants?page=1&take=10'))).toEqual(
      seeded('globex').slice(10, 20),
    );
    expect(await json(await get(upstream, '/orgs/globex/assistants?take=3'))).toEqual(seeded('globex').slice(0, 3));
    expect((await get(upstream, '/orgs/globex/assistants?page=-1')).status).toBe(400);
  });

  it('walks every page of a large org exactly once', async () => {
    await using upstream = await startDemoUpstream();
    const all: unknown[] = [];
    for (let page = 1; ; page++) {
      const items = (await json(await get(upstream, `/orgs/initech/assistants?page=${page}&take=100`))) as unknown[];
      all.push(...items);
      if (items.length < 100) break;
    }
    expect(all).toEqual(seeded('initech'));
    // Sequential requests never overlap, even on one keep-alive socket.
    expect(upstream.peakConcurrency).toBe(1);
  });
});

describe('routing', () => {
  it('serves under basePath and nowhere else', async () => {
    await using upstream = await startDemoUpstream({ basePath: '/api/v2/' });

    expect(upstream.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2$/);
    expect((await get(upstream, '/orgs/wayne/assistants')).status).toBe(200);
    const root = upstream.url.replace(/\/api\/v2$/, '');
    expect((await fetch(`${root}/orgs/wayne/assistants`)).status).toBe(404);
    expect(upstream.requests.map((r) => r.rawPath)).toEqual([
      '/api/v2/orgs/wayne/assistants',
      '/orgs/wayne/assistants',
    ]);
  });

  it('answers 404 for unknown orgs and paths, 405 for other methods', async () => {
    await using upstream = await startDemoUpstream();

    const unknownOrg = await get(upstream, '/orgs/nope/assistants');
    expect(unknownOrg.status).toBe(404);
    expect(await json(unknownOrg)).toMatchObject({ error: 'not_found' });
    expect((await get(upstream, '/orgs/acme/assistants/')).status).toBe(404);
    expect((await get(upstream, '/orgs//assistants')).status).toBe(404);
    expect((await get(upstream, '/orgs/acme')).status).toBe(404);

    const post = await get(upstream, '/orgs/acme/assistants', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('decodes the org segment and records the raw path', async () => {
    const data = new Map([
      ['a/b', seeded('wayne')],
      ['ü ?&', seeded('acme').slice(0, 1)],
    ]);
    await using upstream = await startDemoUpstream({ data });

    expect(await json(await get(upstream, '/orgs/a%2Fb/assistants?page=1&take=2'))).toEqual(
      seeded('wayne').slice(0, 2),
    );
    const encoded = encodeURIComponent('ü ?&');
    expect(await json(await get(upstream, `/orgs/${encoded}/assistants`))).toEqual(seeded('acme').slice(0, 1));
    expect((await get(upstream, '/orgs/%E0%A4%A/assistants')).status).toBe(400);

    expect(upstream.requests).toEqual([
      {
        method: 'GET',
        rawPath: '/orgs/a%2Fb/assistants?page=1&take=2',
        orgId: 'a/b',
        page: '1',
        take: '2',
        authorization: undefined,
      },
      {
        method: 'GET',
        rawPath: `/orgs/${encoded}/assistants`,
        orgId: 'ü ?&',
        page: null,
        take: null,
        authorization: undefined,
      },
      {
        method: 'GET',
        rawPath: '/orgs/%E0%A4%A/assistants',
        orgId: '',
        page: null,
        take: null,
        authorization: undefined,
      },
    ]);
  });

  it('records the Authorization header and accepts any', async () => {
    await using upstream = await startDemoUpstream();

    expect((await get(upstream, '/orgs/acme/assistants', { headers: { authorization: 'Bearer t0k3n' } })).status).toBe(
      200,
    );
    expect(upstream.requests[0]?.authorization).toBe('Bearer t0k3n');
  });
});

describe('faults', () => {
  it('answers an injected status with Retry-After and a JSON body', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ status: 429, retryAfter: '3' });
    const response = await get(upstream, '/orgs/acme/assistants');

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await json(response)).toMatchObject({ error: 'rate_limited' });
  });

  it('applies a fault only `times` times', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(upstream, '/orgs/acme/assistants')).status);

    expect(statuses).toEqual([503, 503, 200]);
    expect(upstream.requests).toHaveLength(3);
  });

  it('targets an org by its decoded id', async () => {
    await using upstream = await startDemoUpstream({
      data: new Map([
        ['a/b', []],
        ['acme', []],
      ]),
    });
    upstream.inject({ orgId: 'a/b', status: 403 });

    expect((await get(upstream, '/orgs/acme/assistants')).status).toBe(200);
    expect((await get(upstream, '/orgs/a%2Fb/assistants')).status).toBe(403);
  });

  it('uses the first matching fault with times left, in insertion order', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ status: 401, times: 1 });
    upstream.inject({ orgId: 'globex', status: 500 });
    upstream.inject({ status: 403 });

    const status = async (org: string) => (await get(upstream, `/orgs/${org}/assistants`)).status;
    expect([await status('globex'), await status('globex'), await status('acme')]).toEqual([401, 500, 403]);

    upstream.clearFaults();
    expect(await status('globex')).toBe(200);
  });

  it('sends malformed JSON with status 200', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ body: 'malformed' });
    const response = await get(upstream, '/orgs/acme/assistants');

    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow(SyntaxError);
  });

  it('sends an object envelope instead of an array', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ body: 'wrong-shape' });
    const body = await json(await get(upstream, '/orgs/acme/assistants'));

    expect(Array.isArray(body)).toBe(false);
    expect(body).toMatchObject({ data: expect.any(Array) });
  });

  it('sends an array whose second item is invalid', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ body: 'bad-item' });
    const body = (await json(await get(upstream, '/orgs/acme/assistants'))) as Record<string, unknown>[];

    expect(body[0]).toEqual(seeded('acme')[0]);
    expect(body[1]).toMatchObject({ id: seeded('acme')[1]?.id, enabled: 'yes' });
    expect(body[1]).not.toHaveProperty('config');
  });

  it('drops the connection before responding', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ drop: 'before-response' });

    await expect(get(upstream, '/orgs/acme/assistants')).rejects.toThrow();
    expect(upstream.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('drops the connection mid-body', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ drop: 'mid-body' });

    await expect(get(upstream, '/orgs/acme/assistants').then((r) => r.text())).rejects.toThrow();
  });

  it('sends the headers and half the promised body before dropping', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ drop: 'mid-body' });

    const outcome = await new Promise<{ status?: number; declared: number; received: number; complete: boolean }>(
      (resolve, reject) => {
        const request = httpGet(`${upstream.url}/orgs/acme/assistants`, (response) => {
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
          });
          response.on('error', () => {}); // 'aborted' is expected; the 'close' below reports it
          response.on('close', () =>
            resolve({
              status: response.statusCode,
              declared: Number(response.headers['content-length']),
              received,
              complete: response.complete,
            }),
          );
        });
        request.on('error', reject);
      },
    );

    expect(outcome.status).toBe(200);
    expect(outcome.complete).toBe(false);
    expect(outcome.received).toBeGreaterThan(0);
    expect(outcome.received).toBeLessThan(outcome.declared);
  });

  it('fails a share of requests at random, with every kind of fault on its menu', async () => {
    // Alternates: a draw under the rate, then the menu's next entry; 0.99 passes.
    let draw = 0;
    const draws = faultMenu.flatMap((_, i) => [0, (i + 0.5) / faultMenu.length, 0.99]);
    await using upstream = await startDemoUpstream({
      faultRate: 0.5,
      random: () => draws[draw++ % draws.length] as number,
    });
    const statuses: (number | string)[] = [];
    for (let i = 0; i < faultMenu.length * 2; i++) {
      statuses.push(
        await get(upstream, '/orgs/acme/assistants?take=3')
          .then(
            async (response) =>
              `${response.status}:${(await response.text()).slice(0, 1)}${response.headers.get('content-type')?.startsWith('text/html') ? ':html' : ''}`,
          )
          .catch(() => 'dropped'),
      );
    }
    // A faulty answer, then a good one, in turn.
    const faulty = statuses.filter((_, i) => i % 2 === 0);
    expect(statuses.filter((_, i) => i % 2 === 1).every((status) => status === '200:[')).toBe(true);
    expect(faulty).toEqual([
      '500:{',
      '502:{',
      '503:{',
      '429:{',
      '504:{',
      '200:[',
      '200:{',
      '200:[',
      'dropped',
      'dropped',
      '200:[',
      '200:[:html',
    ]);
    await expect(startDemoUpstream({ faultRate: 2 })).rejects.toThrow(RangeError);
  });

  it('answers 401 to unknown credentials and 403 for an org they may not see, under `access`', async () => {
    await using upstream = await startDemoUpstream({
      access: new Map([['Bearer some', new Set(['acme'])]]),
    });
    const as = (authorization?: string) => (authorization ? { headers: { authorization } } : {});
    expect((await get(upstream, '/orgs/acme/assistants', as('Bearer some'))).status).toBe(200);
    expect((await get(upstream, '/orgs/globex/assistants', as('Bearer some'))).status).toBe(403);
    expect((await get(upstream, '/orgs/acme/assistants', as('Bearer other'))).status).toBe(401);
    expect((await get(upstream, '/orgs/acme/assistants')).status).toBe(401);
  });

  it('rejects nonsense faults up front', async () => {
    await using upstream = await startDemoUpstream();

    expect(() => upstream.inject({ status: 42 })).toThrow(RangeError);
    expect(() => upstream.inject({ times: -1 })).toThrow(RangeError);
  });
});

describe('hold and release', () => {
  it('holds the next request of an org until released, and answers it as things stand then; others pass', async () => {
    await using upstream = await startDemoUpstream();
    const held = upstream.hold('globex');
    const answer = get(upstream, '/orgs/globex/assistants?page=1&take=1');
    await held.arrived;
    expect(upstream.inFlight).toBe(1);
    // Another org is not held, nor is globex's next request once the hold is met.
    expect((await get(upstream, '/orgs/acme/assistants?page=1&take=1')).status).toBe(200);
    expect((await get(upstream, '/orgs/globex/assistants?page=2&take=1')).status).toBe(200);
    upstream.inject({ orgId: 'globex', status: 503, times: 1 });
    held.release();
    expect((await answer).status).toBe(503);
  });
});

describe('latency and concurrency', () => {
  // Latency is long enough never to elapse: requests are observed in flight,
  // then released by aborting or closing, so nothing depends on timing.
  it('counts parallel requests held by latency', async () => {
    await using upstream = await startDemoUpstream({ latencyMs: 60_000 });
    const controller = new AbortController();
    const pending = Array.from({ length: 4 }, (_, i) =>
      get(upstream, `/orgs/acme/assistants?page=${i + 1}&take=1`, { signal: controller.signal }),
    );

    await vi.waitFor(() => expect(upstream.inFlight).toBe(4));
    expect(upstream.peakConcurrency).toBe(4);

    controller.abort();
    await Promise.allSettled(pending);
    await vi.waitFor(() => expect(upstream.inFlight).toBe(0));
    expect(upstream.peakConcurrency).toBe(4);

    upstream.reset();
    expect(upstream.peakConcurrency).toBe(0);
    expect(upstream.requests).toEqual([]);
  });

  it('delays only requests matched by a latency fault', async () => {
    await using upstream = await startDemoUpstream();
    upstream.inject({ orgId: 'globex', latencyMs: 60_000 });
    const slow = get(upstream, '/orgs/globex/assistants');
    await vi.waitFor(() => expect(upstream.inFlight).toBe(1));

    expect((await get(upstream, '/orgs/acme/assistants')).status).toBe(200);
    expect(upstream.inFlight).toBe(1);
    expect(upstream.peakConcurrency).toBe(2);
    expect(upstream.requests.map((r) => r.orgId)).toEqual(['globex', 'acme']);

    const failed = expect(slow).rejects.toThrow();
    await upstream.close();
    await failed;
  });

  it('answers normally after a short latency', async () => {
    await using upstream = await startDemoUpstream({ latencyMs: 1 });
    upstream.inject({ latencyMs: 1, times: 1 });

    expect(await json(await get(upstream, '/orgs/wayne/assistants'))).toEqual(seeded('wayne'));
  });

  it('closes promptly with keep-alive sockets and pending latency', async () => {
    const upstream = await startDemoUpstream();
    expect((await get(upstream, '/orgs/acme/assistants')).status).toBe(200); // leaves a keep-alive socket
    upstream.inject({ latencyMs: 600_000 });
    const pending = get(upstream, '/orgs/acme/assistants');
    await vi.waitFor(() => expect(upstream.inFlight).toBe(1));

    const failed = expect(pending).rejects.toThrow();
    await upstream.close();
    await upstream.close(); // idempotent
    await failed;
    expect(upstream.inFlight).toBe(0);
  });
});

describe('seed data', () => {
  const everyAssistant = [...seed.values()].flat();

  it('is deterministic', () => {
    expect(createSeedData()).toEqual(createSeedData());
    expect(JSON.stringify([...createSeedData()])).toBe(JSON.stringify([...seed]));
  });

  it('has the documented orgs and sizes', () => {
    expect(Object.fromEntries([...seed].map(([org, assistants]) => [org, assistants.length]))).toEqual({
      acme: 12,
      globex: 45,
      initech: 350,
      hooli: 5,
      umbrella: 0,
      wayne: 3,
    });
  });

  it('uses unique, well-formed ids and links children to their parent', () => {
    const ids = everyAssistant.flatMap((a) => [
      a.id,
      ...a.integrations.map((i) => i.id),
      ...a.actions.map((x) => x.id),
    ]);
    expect(new Set(ids).size).toBe(ids.length);

    for (const assistant of everyAssistant) {
      expect(assistant.id).toMatch(/^asst_[0-9a-z]{12}$/);
      for (const child of [...assistant.integrations, ...assistant.actions]) {
        expect(child.id).toMatch(/^(int|act)_[0-9a-z]{16}$/);
        expect(child.assistant_id).toBe(assistant.id);
      }
    }
  });

  it('never has created_at after updated_at, and mixes timestamp formats', () => {
    const records = everyAssistant.flatMap((a) => [a, ...a.integrations, ...a.actions]);
    for (const record of records) {
      expect(Number.isNaN(Date.parse(record.created_at))).toBe(false);
      expect(Date.parse(record.created_at)).toBeLessThanOrEqual(Date.parse(record.updated_at));
    }
    const stamps = records.flatMap((r) => [r.created_at, r.updated_at]);
    expect(stamps.some((s) => /^\d{4}-\d{2}-\d{2}$/.test(s))).toBe(true);
    expect(stamps.some((s) => s.endsWith('Z'))).toBe(true);
    expect(stamps.some((s) => /[+-]\d{2}:\d{2}$/.test(s))).toBe(true);
  });

  it('looks like real data in generated orgs', () => {
    const generated = ['acme', 'globex', 'initech', 'wayne'].flatMap(seeded);
    expect(generated.some((a) => a.avatar_url === null)).toBe(true);
    expect(generated.some((a) => a.config.instructions === null)).toBe(true);
    expect(generated.some((a) => a.integrations.some((i) => i.error !== null))).toBe(true);
    expect(
      generated.some((a) => a.actions.some((x) => x.config.definitions.some((d) => d.path.startsWith('/v1/')))),
    ).toBe(true);
    expect(new Set(generated.map((a) => a.config.language))).toEqual(new Set(['en', 'de', 'fr', 'es', 'ja', 'pt-BR']));
    for (const { secret_key } of generated) {
      expect(secret_key === null || secret_key === '' || /^sk_(live|test)_[0-9A-Za-z]{24}$/.test(secret_key)).toBe(
        true,
      );
    }
  });

  it('holds the hooli edge cases', () => {
    const hooli = seeded('hooli');
    const bare = hooli[0];
    expect(bare).toMatchObject({
      secret_key: null,
      avatar_url: null,
      integrations: [],
      actions: [],
      created_at: '2023-12-25',
      config: {
        instructions: null,
        conversation: { welcome_banner: null, auto_intro_message: null, suggested_messages: [] },
      },
    });
    expect(hooli.map((a) => a.secret_key)).toEqual([
      null,
      '',
      expect.any(String),
      expect.any(String),
      expect.any(String),
    ]);
    expect(hooli.slice(2).every((a) => (a.secret_key ?? '').length > 0)).toBe(true);

    const text = JSON.stringify(hooli);
    expect(text).toMatch(/\p{Extended_Pictographic}/u);
    expect(text).toMatch(/\p{Script=Han}/u);
    expect(text).toMatch(/\p{Script=Arabic}/u);
    expect(text).toMatch(/\p{M}/u);
    expect(Math.max(...hooli.map((a) => a.config.instructions?.length ?? 0))).toBeGreaterThanOrEqual(20_000);

    const children = hooli.flatMap((a) => [...a.integrations, ...a.actions]);
    expect(children.some((c) => c.connection_id === null)).toBe(true);
    expect(hooli.flatMap((a) => a.integrations).some((i) => i.error === null)).toBe(true);

    const stamps = hooli
      .flatMap((a) => [a, ...a.integrations, ...a.actions])
      .flatMap((r) => [r.created_at, r.updated_at]);
    expect(stamps).toContain('2023-12-25');
    expect(stamps).toContain('2024-03-01T10:20:30+02:00');
    expect(stamps.some((s) => s.endsWith('Z'))).toBe(true);
  });
});

describe('changes to the list', () => {
  const page = async (upstream: DemoUpstream, org: string, number: number, take: number) =>
    (await json(await get(upstream, `/orgs/${org}/assistants?page=${number}&take=${take}`))) as WireAssistant[];
  const ids = (assistants: readonly WireAssistant[]) => assistants.map((assistant) => assistant.id);
  const acme = ids(seeded('acme'));

  it('inserts a copy of the org’s first seed assistant with fresh ids, and the pages after it shift', async () => {
    await using upstream = await startDemoUpstream();
    const before = Date.now();
    const id = upstream.insert('acme', 3);

    expect(id).toBe('asst_ins_1');
    expect(ids(await page(upstream, 'acme', 1, 5))).toEqual([...acme.slice(0, 3), id, ...acme.slice(3, 4)]);
    expect(ids(await page(upstream, 'acme', 2, 5))).toEqual(acme.slice(4, 9));
    expect(ids(await page(upstream, 'acme', 3, 5))).toEqual(acme.slice(9, 12));
    expect(ids(upstream.assistantsOf('acme'))).toEqual([...acme.slice(0, 3), id, ...acme.slice(3)]);

    const inserted = upstream.assistantsOf('acme')[3] as WireAssistant;
    const template = seeded('acme')[0] as WireAssistant;
    expect(inserted).toEqual({
      ...template,
      id,
      name: 'Inserted 1',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      integrations: template.integrations.map((child, k) => ({
        ...child,
        id: `int_ins_1_${k + 1}`,
        assistant_id: id,
        created_at: inserted.created_at,
        updated_at: inserted.created_at,
      })),
      actions: template.actions.map((child, k) => ({
        ...child,
        id: `act_ins_1_${k + 1}`,
        assistant_id: id,
        created_at: inserted.created_at,
        updated_at: inserted.created_at,
      })),
    });
    expect(Date.parse(inserted.created_at)).toBeGreaterThanOrEqual(before - 1);
    expect(inserted.updated_at).toBe(inserted.created_at);
    // The gateway reads it as it reads any assistant.
    expect(() => decodeAssistantList(upstream.assistantsOf('acme'), 'acme')).not.toThrow();
  });

  it('inserts at either end, under a given name', async () => {
    await using upstream = await startDemoUpstream();
    const first = upstream.insert('wayne', 0, 'First');
    const last = upstream.insert('wayne', 4, 'Last');

    expect(ids(await page(upstream, 'wayne', 1, 10))).toEqual([first, ...ids(seeded('wayne')), last]);
    expect(upstream.assistantsOf('wayne').map((a) => a.name)).toEqual([
      'First',
      ...seeded('wayne').map((a) => a.name),
      'Last',
    ]);
  });

  it('removes the assistant at a position, and the pages after it shift back', async () => {
    await using upstream = await startDemoUpstream();

    expect(upstream.remove('acme', 0)).toBe(acme[0]);
    expect(upstream.remove('acme', 5)).toBe(acme[6]);
    const rest = [...acme.slice(1, 6), ...acme.slice(7)];
    expect(ids(await page(upstream, 'acme', 1, 5))).toEqual(rest.slice(0, 5));
    expect(ids(await page(upstream, 'acme', 2, 5))).toEqual(rest.slice(5, 10));
    expect(await page(upstream, 'acme', 3, 5)).toEqual([]);
    expect(ids(upstream.assistantsOf('acme'))).toEqual(rest);
  });

  it('gives every inserted assistant and child ids no other has, an empty org a copy of another org’s', async () => {
    await using upstream = await startDemoUpstream();
    const inserted = [
      upstream.insert('umbrella', 0),
      upstream.insert('hooli', 2),
      upstream.insert('initech', 350),
      upstream.insert('umbrella', 1),
    ];
    upstream.remove('umbrella', 0);
    inserted.push(upstream.insert('umbrella', 0));

    expect(inserted).toEqual(['asst_ins_1', 'asst_ins_2', 'asst_ins_3', 'asst_ins_4', 'asst_ins_5']);
    expect(upstream.assistantsOf('umbrella')).toHaveLength(2);
    const everyId = [...seed.keys()].flatMap((org) =>
      upstream
        .assistantsOf(org)
        .flatMap((a) => [a.id, ...a.integrations.map((i) => i.id), ...a.actions.map((x) => x.id)]),
    );
    expect(new Set(everyId).size).toBe(everyId.length);
    // initech's first assistant has integrations and actions: each copy links to its new parent.
    const copy = upstream.assistantsOf('initech')[350] as WireAssistant;
    expect(copy.actions.length).toBeGreaterThan(0);
    for (const child of [...copy.integrations, ...copy.actions]) expect(child.assistant_id).toBe(copy.id);
  });

  it('skips an inserted id that a hand-made list uses already', async () => {
    const taken = { ...(seeded('wayne')[0] as WireAssistant), id: 'asst_ins_1' };
    await using upstream = await startDemoUpstream({ data: new Map([['wayne', [taken]]]) });

    expect(upstream.insert('wayne', 1)).toBe('asst_ins_2');
  });

  it('refuses a position outside the list or an unknown org, with a RangeError naming the positions allowed', async () => {
    await using upstream = await startDemoUpstream();

    expect(() => upstream.insert('acme', 13)).toThrow(
      new RangeError('"acme" has 12 assistants: insert at 0 to 12, not 13'),
    );
    expect(() => upstream.insert('acme', -1)).toThrow(RangeError);
    expect(() => upstream.insert('acme', 1.5)).toThrow(RangeError);
    expect(() => upstream.remove('acme', 12)).toThrow(
      new RangeError('"acme" has 12 assistants: remove at 0 to 11, not 12'),
    );
    expect(() => upstream.remove('umbrella', 0)).toThrow(
      new RangeError('"umbrella" has no assistants: nothing to remove'),
    );
    expect(() => upstream.insert('nope', 0)).toThrow(new RangeError('no organization "nope"'));
    expect(() => upstream.assistantsOf('nope')).toThrow(RangeError);
    expect(upstream.assistantsOf('acme')).toEqual(seeded('acme'));
  });

  it('changes the org’s ETag with each change, so a stale If-None-Match gets the new page', async () => {
    await using upstream = await startDemoUpstream();
    const revalidate = (org: string, etag: string) =>
      get(upstream, `/orgs/${org}/assistants?page=1&take=5`, { headers: { 'if-none-match': etag } });

    expect((await get(upstream, '/orgs/acme/assistants?page=1&take=5')).headers.get('etag')).toBe(seedEtag);
    expect((await revalidate('acme', seedEtag)).status).toBe(304);

    const id = upstream.insert('acme', 0);
    const changed = await revalidate('acme', seedEtag);
    expect(changed.status).toBe(200);
    expect(ids((await json(changed)) as WireAssistant[])).toEqual([id, ...acme.slice(0, 4)]);
    const etag = changed.headers.get('etag') as string;
    expect(etag).toMatch(/^"acme-[0-9a-f]{8}-v1"$/);
    const notModified = await revalidate('acme', etag);
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(etag);
    // Other orgs are unchanged, and keep the seed's validator.
    expect((await revalidate('globex', seedEtag)).status).toBe(304);

    upstream.remove('acme', 0);
    const back = await revalidate('acme', etag);
    expect(back.status).toBe(200);
    expect(back.headers.get('etag')).toBe(etag.replace('-v1"', '-v2"'));
    expect(await json(back)).toEqual(seeded('acme').slice(0, 5));
  });

  it('never shares a validator with another demo (a restart), so neither answers 304 to the other’s', async () => {
    await using one = await startDemoUpstream();
    await using other = await startDemoUpstream();
    one.insert('acme', 0);
    other.insert('acme', 0);
    const etag = (await get(one, '/orgs/acme/assistants')).headers.get('etag') as string;
    expect((await get(other, '/orgs/acme/assistants', { headers: { 'if-none-match': etag } })).status).toBe(200);
  });

  it('percent-encodes an org id the ETag could not hold', async () => {
    await using upstream = await startDemoUpstream({ data: new Map([['ü "x"', seeded('wayne')]]) });
    upstream.remove('ü "x"', 0);
    const response = await get(upstream, `/orgs/${encodeURIComponent('ü "x"')}/assistants`);

    expect(response.headers.get('etag')).toMatch(/^"%C3%BC%20%22x%22-[0-9a-f]{8}-v1"$/);
  });

  it('changes only its own instance, never the data it was given', async () => {
    const data = createSeedData();
    await using changed = await startDemoUpstream({ data });
    await using other = await startDemoUpstream({ data });
    changed.insert('acme', 0);
    changed.remove('globex', 0);

    expect(data).toEqual(seed);
    expect(other.assistantsOf('acme')).toEqual(seeded('acme'));
    expect(await page(other, 'acme', 1, 100)).toEqual(seeded('acme'));
    expect((await get(other, '/orgs/globex/assistants')).headers.get('etag')).toBe(seedEtag);
    expect(other.insert('acme', 0)).toBe('asst_ins_1');
  });
});

describe('the control route', () => {
  const control = (upstream: DemoUpstream, path: string, method = 'POST') => get(upstream, path, { method });

  it('inserts and removes, answering the id and the new size, without counting as upstream traffic', async () => {
    await using upstream = await startDemoUpstream({ basePath: '/api/v2' });
    // Neither faults nor holds apply to it.
    upstream.inject({ status: 503 });
    upstream.hold();

    const inserted = await control(upstream, '/_demo/orgs/acme/insert?at=2&name=Hello%20there');
    expect(inserted.status).toBe(200);
    expect(inserted.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json(inserted)).toEqual({ id: 'asst_ins_1', size: 13 });
    expect(upstream.assistantsOf('acme')[2]).toMatchObject({ id: 'asst_ins_1', name: 'Hello there' });

    expect(await json(await control(upstream, '/_demo/orgs/acme/remove?at=0'))).toEqual({
      id: seeded('acme')[0]?.id,
      size: 12,
    });
    expect(await json(await control(upstream, '/_demo/orgs/acme/insert?at=12'))).toEqual({
      id: 'asst_ins_2',
      size: 13,
    });
    expect(upstream.assistantsOf('acme').map((a) => a.name)).toContain('Inserted 2');
    expect(upstream.requests).toEqual([]);
    expect(upstream.requestCount).toBe(0);
    expect(upstream.peakConcurrency).toBe(0);
  });

  it('reads the org segment percent-encoded, as the endpoint does', async () => {
    await using upstream = await startDemoUpstream({ data: new Map([['a/b', seeded('wayne')]]) });

    expect(await json(await control(upstream, '/_demo/orgs/a%2Fb/remove?at=2'))).toEqual({
      id: seeded('wayne')[2]?.id,
      size: 2,
    });
  });

  it.each([
    ['no position', '/_demo/orgs/acme/insert', 400, 'at is required: the position to insert at, counted from 0.'],
    ['a position that is no integer', '/_demo/orgs/acme/insert?at=two', 400, 'at must be an integer.'],
    ['a fraction', '/_demo/orgs/acme/remove?at=1.5', 400, 'at must be an integer.'],
    [
      'a position past the end',
      '/_demo/orgs/acme/insert?at=13',
      400,
      '"acme" has 12 assistants: insert at 0 to 12, not 13.',
    ],
    [
      'a negative position',
      '/_demo/orgs/acme/remove?at=-1',
      400,
      '"acme" has 12 assistants: remove at 0 to 11, not -1.',
    ],
    [
      'a remove from an empty org',
      '/_demo/orgs/umbrella/remove?at=0',
      400,
      '"umbrella" has no assistants: nothing to remove.',
    ],
    ['bad percent-encoding', '/_demo/orgs/%E0%A4%A/insert?at=0', 400, 'The org id is not valid percent-encoding.'],
    ['an unknown org', '/_demo/orgs/nope/insert?at=0', 404, 'Unknown organization.'],
    ['an unknown change', '/_demo/orgs/acme/shuffle?at=0', 404, 'No such change "shuffle": use insert or remove.'],
  ])('refuses %s', async (_name, path, status, message) => {
    await using upstream = await startDemoUpstream();
    const response = await control(upstream, path);

    expect(response.status).toBe(status);
    expect(await json(response)).toEqual({
      error: status === 400 ? 'bad_request' : 'not_found',
      message,
    });
    expect(upstream.assistantsOf('acme')).toEqual(seeded('acme'));
  });

  it('refuses any method but POST, and changes nothing', async () => {
    await using upstream = await startDemoUpstream();
    const response = await control(upstream, '/_demo/orgs/acme/insert?at=0', 'GET');

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await json(response)).toEqual({ error: 'method_not_allowed', message: 'Only POST is allowed.' });
    expect(upstream.assistantsOf('acme')).toEqual(seeded('acme'));
  });
});
