// `npm run soak`: the production build (npm run build first) under steady
// mixed load at a fixed rate, against a demo upstream that fails a share of
// its calls in every way it can and lets some callers see only some orgs.
// Every answer is checked against the demo's data; memory, file descriptors,
// error codes and the log are watched. Exits 1 on any failure.
//
//   npm run soak -- --minutes 10                 the full run
//   npm run soak -- --seconds 30                 a short one (CI)
//   npm run soak -- --minutes 10 --record        also writes bench/SOAK.md

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual, parseArgs } from 'node:util';
// undici's own fetch: Node's global fetch bundles another undici, whose dispatchers differ from undici 8's.
import { Agent, fetch } from 'undici';
import { createSeedData } from '../src/demo/seed.ts';
import type { WireAssistant } from '../src/demo/wire.ts';
import { assistantFields } from '../src/graphql/assistant-fields.generated.ts';
import { encodeCursor } from '../src/paging/windows.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { expectedAssistant, withoutGlobalIds } from '../test/helpers/expected.ts';
import { forkTs, median, ready, rssMb, startGatewayProcess } from './processes.ts';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    rate: { type: 'string', default: '50' },
    'fault-rate': { type: 'string', default: '0.1' },
    seed: { type: 'string', default: '1' },
    /** RSS growth allowed from the first half's median to the second's, in %; a short run is mostly warm-up. */
    'max-rss-growth': { type: 'string', default: '10' },
    record: { type: 'boolean', default: false },
  },
});
const durationS = flags.seconds ? Number(flags.seconds) : Number(flags.minutes ?? '10') * 60;
const rate = Number(flags.rate);
const faultRate = Number(flags['fault-rate']);
const root = new URL('..', import.meta.url);

// --- the world: data, callers, what each may see ----------------------------

const seed = createSeedData();
const orgIds = [...seed.keys()];
const secretKeys = [...seed.values()]
  .flat()
  .flatMap((assistant) => (assistant.secret_key ? [assistant.secret_key] : []));
const unique = () => randomBytes(9).toString('base64url');
/** Callers by what their token may see; the default token (UPSTREAM_TOKEN) serves callers with none. */
const callers = [
  { name: 'all', authorization: `Bearer soak-all-${unique()}`, sees: new Set(orgIds) },
  { name: 'some', authorization: `Bearer soak-some-${unique()}`, sees: new Set(['acme', 'globex', 'hooli']) },
  { name: 'default', authorization: undefined, sees: new Set(orgIds) },
] as const;
const upstreamToken = `soak-default-${unique()}`;
const tokens = [...callers.flatMap((caller) => (caller.authorization ? [caller.authorization] : [])), upstreamToken];
const access = Object.fromEntries([
  ...callers.flatMap((caller) => (caller.authorization ? [[caller.authorization, [...caller.sees]]] : [])),
  [`Bearer ${upstreamToken}`, orgIds],
]);
type Caller = (typeof callers)[number];

/** Codes the contract names; anything else in an answer is a failure. */
const contractCodes = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_ERROR',
  'UPSTREAM_BAD_RESPONSE',
  'LIMIT_EXCEEDED',
]);
/** What an injected upstream fault may turn into. */
const faultCodes = new Set(['UPSTREAM_ERROR', 'UPSTREAM_TIMEOUT', 'UPSTREAM_BAD_RESPONSE', 'RATE_LIMITED']);

// A small seeded generator: the same run of operations every time for a seed.
let state = Number(flags.seed) >>> 0 || 1;
const random = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));

// --- operations and their checks --------------------------------------------

// Every field of an assistant (src/graphql/assistant-fields.graphql); answers are compared with the
// oracle of test/helpers/expected.ts once their global ids are set aside.
const fields = assistantFields;

interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}
interface Answer {
  data?: Record<string, unknown> | null;
  errors?: GraphQLError[];
}
interface Operation {
  readonly kind: string;
  readonly body: unknown;
  readonly caller: Caller;
  /** Problems with the answer; none when it is right. */
  check(answer: Answer): string[];
}

const errorAt = (answer: Answer, path: readonly (string | number)[]) =>
  answer.errors?.find((error) => isDeepStrictEqual(error.path, path));

/** A field that reads `orgId` for `caller`: its data, or a null with an error the situation explains. */
function checkOrgField(
  answer: Answer,
  path: readonly (string | number)[],
  value: unknown,
  orgId: string,
  caller: Caller,
  checkData: (value: unknown) => string[],
): string[] {
  if (value !== null && value !== undefined) return checkData(value);
  const code = errorAt(answer, path)?.extensions?.code;
  const allowed = caller.sees.has(orgId) ? faultCodes : new Set([...faultCodes, 'FORBIDDEN']);
  return code !== undefined && allowed.has(code) ? [] : [`${path.join('.')}: null with ${code ?? 'no error'}`];
}

function checkAssistants(actual: unknown, orgId: string, expected: readonly WireAssistant[], what: string): string[] {
  const nodes = actual as Record<string, unknown>[];
  if (!Array.isArray(nodes) || nodes.length !== expected.length) {
    return [`${what}: ${Array.isArray(nodes) ? nodes.length : typeof nodes} items, expected ${expected.length}`];
  }
  return nodes.flatMap((node, i) =>
    isDeepStrictEqual(withoutGlobalIds(node), expectedAssistant(orgId, expected[i] as WireAssistant))
      ? []
      : [`${what}[${i}]: differs from the upstream's ${(expected[i] as WireAssistant).id}`],
  );
}

let distinctDocuments = 0;

/** A first page of one org; now and then as a document never seen before (inlined arguments). */
function firstPage(caller: Caller): Operation {
  const orgId = pick(orgIds.filter((id) => id !== 'umbrella'));
  const first = between(1, 25);
  const distinct = random() < 0.3;
  const alias = distinct ? `page${distinctDocuments++}` : 'organization';
  const query = distinct
    ? `query FirstPage${distinctDocuments} { ${alias}: organization(restId: "${orgId}") { assistants(first: ${first}) { pageInfo { hasNextPage hasPreviousPage } edges { node { ...AssistantFields } } } } } ${fields}`
    : `query FirstPage($org: ID!, $first: Int) { organization(restId: $org) { assistants(first: $first) { pageInfo { hasNextPage hasPreviousPage } edges { node { ...AssistantFields } } } } } ${fields}`;
  const all = seed.get(orgId) ?? [];
  return {
    kind: distinct ? 'first page (distinct document)' : 'first page',
    caller,
    body: { query, variables: distinct ? undefined : { org: orgId, first } },
    check: (answer) => {
      const connection = (answer.data?.[alias] as { assistants?: unknown } | undefined)?.assistants;
      return checkOrgField(answer, [alias, 'assistants'], connection, orgId, caller, (value) => {
        const page = value as { pageInfo: unknown; edges: { node: unknown }[] };
        const problems = checkAssistants(
          page.edges.map((edge) => edge.node),
          orgId,
          all.slice(0, first),
          'edges',
        );
        const pageInfo = { hasNextPage: all.length > first, hasPreviousPage: false };
        return isDeepStrictEqual(page.pageInfo, pageInfo) ? problems : [...problems, 'pageInfo is wrong'];
      });
    },
  };
}

/** A page deep in a large org, reached with a cursor. */
function deepPage(caller: Caller): Operation {
  const orgId = pick(['initech', 'globex']);
  const all = seed.get(orgId) ?? [];
  const after = between(0, all.length - 2);
  const first = between(1, 60);
  return {
    kind: 'deep page',
    caller,
    body: {
      query: `query DeepPage($org: ID!, $first: Int, $after: String) { organization(restId: $org) { assistants(first: $first, after: $after) { pageInfo { hasNextPage hasPreviousPage } nodes { ...AssistantFields } } } } ${fields}`,
      variables: { org: orgId, first, after: encodeCursor(orgId, after) },
    },
    check: (answer) => {
      const connection = (answer.data?.organization as { assistants?: unknown } | undefined)?.assistants;
      return checkOrgField(answer, ['organization', 'assistants'], connection, orgId, caller, (value) => {
        const page = value as { pageInfo: unknown; nodes: unknown[] };
        const expected = all.slice(after + 1, after + 1 + first);
        const pageInfo = { hasNextPage: after + 1 + first < all.length, hasPreviousPage: true };
        const problems = checkAssistants(page.nodes, orgId, expected, 'nodes');
        return isDeepStrictEqual(page.pageInfo, pageInfo) ? problems : [...problems, 'pageInfo is wrong'];
      });
    },
  };
}

/** Something refetchable: its global id, what `nodes` must answer, and its org. */
function randomNode(): { id: string; orgId: string; expected: unknown } {
  const orgId = pick(['acme', 'globex', 'initech', 'hooli', 'wayne']);
  const assistant = pick(seed.get(orgId) ?? []);
  const kind = pick(['Organization', 'Assistant', 'Integration', 'Action', 'Missing'] as const);
  const integration = assistant.integrations[0];
  const action = assistant.actions[0];
  if (kind === 'Organization') return { id: encodeGlobalId('Organization', orgId), orgId, expected: { restId: orgId } };
  if (kind === 'Integration' && integration) {
    return {
      id: encodeGlobalId('Integration', `${orgId}/${assistant.id}/${integration.id}`),
      orgId,
      expected: { restId: integration.id, assistant: { restId: assistant.id } },
    };
  }
  if (kind === 'Action' && action) {
    return {
      id: encodeGlobalId('Action', `${orgId}/${assistant.id}/${action.id}`),
      orgId,
      expected: { restId: action.id, assistant: { restId: assistant.id } },
    };
  }
  if (kind === 'Missing') return { id: encodeGlobalId('Assistant', `${orgId}/asst_gone`), orgId, expected: null };
  return {
    id: encodeGlobalId('Assistant', `${orgId}/${assistant.id}`),
    orgId,
    expected: { restId: assistant.id, name: assistant.name },
  };
}

const nodeSelection = `... on Organization { restId } ... on Assistant { restId name } ... on Integration { restId assistant { restId } } ... on Action { restId assistant { restId } }`;

/** `nodes` over 8 ids of mixed types and orgs, duplicates included. */
function mixedNodes(caller: Caller): Operation {
  const wanted = Array.from({ length: 7 }, randomNode);
  wanted.push(pick(wanted));
  return {
    kind: 'nodes',
    caller,
    body: {
      query: `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { ${nodeSelection} } }`,
      variables: { ids: wanted.map((node) => node.id) },
    },
    check: (answer) => {
      const nodes = answer.data?.nodes as unknown[] | undefined;
      if (!Array.isArray(nodes) || nodes.length !== wanted.length) return ['nodes: wrong length'];
      return wanted.flatMap((node, i) => {
        if (node.expected !== null && (node.expected as { restId: string }).restId === node.orgId) {
          return isDeepStrictEqual(nodes[i], node.expected) ? [] : [`nodes.${i}: wrong organization`];
        }
        if (nodes[i] === null && node.expected === null && !errorAt(answer, ['nodes', i])) return [];
        return checkOrgField(answer, ['nodes', i], nodes[i], node.orgId, caller, (value) =>
          isDeepStrictEqual(value, node.expected) ? [] : [`nodes.${i}: differs from the upstream`],
        );
      });
    },
  };
}

/** `node` for one assistant. */
function oneNode(caller: Caller): Operation {
  const orgId = pick(['acme', 'globex', 'initech', 'wayne']);
  const assistant = pick(seed.get(orgId) ?? []);
  return {
    kind: 'node',
    caller,
    body: {
      query: `query Node($id: ID!) { node(id: $id) { ... on Assistant { ...AssistantFields } } } ${fields}`,
      variables: { id: encodeGlobalId('Assistant', `${orgId}/${assistant.id}`) },
    },
    check: (answer) =>
      checkOrgField(answer, ['node'], answer.data?.node, orgId, caller, (value) =>
        isDeepStrictEqual(withoutGlobalIds(value), expectedAssistant(orgId, assistant))
          ? []
          : ['node: differs from the upstream'],
      ),
  };
}

/** Three orgs in one query: each answers or fails alone. */
function severalOrgs(caller: Caller): Operation {
  const chosen = [pick(['acme', 'hooli']), pick(['globex', 'wayne']), 'initech'];
  const query = `query SeveralOrgs { ${chosen
    .map(
      (orgId, i) => `o${i}: organization(restId: "${orgId}") { assistants(first: 5) { nodes { ...AssistantFields } } }`,
    )
    .join(' ')} } ${fields}`;
  return {
    kind: 'several orgs',
    caller,
    body: { query },
    check: (answer) =>
      chosen.flatMap((orgId, i) => {
        const connection = (answer.data?.[`o${i}`] as { assistants?: { nodes: unknown[] } | null } | undefined)
          ?.assistants;
        return checkOrgField(answer, [`o${i}`, 'assistants'], connection, orgId, caller, (value) =>
          checkAssistants((value as { nodes: unknown[] }).nodes, orgId, (seed.get(orgId) ?? []).slice(0, 5), `o${i}`),
        );
      }),
  };
}

/** Input the contract refuses with BAD_USER_INPUT. */
function badInput(caller: Caller): Operation {
  const cases = [
    '{ organization(restId: "acme") { assistants(first: 5, after: "garbage") { nodes { restId } } } }',
    '{ organization(restId: "acme") { assistants(last: 5) { nodes { restId } } } }',
    '{ organization(restId: "acme") { assistants(first: 500) { nodes { restId } } } }',
    '{ node(id: "not-an-id") { id } }',
    '{ organization(restId: "..") { restId } }',
  ];
  return {
    kind: 'bad input',
    caller,
    body: { query: pick(cases) },
    check: (answer) =>
      answer.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT'
        ? []
        : [`bad input answered ${JSON.stringify(answer.errors?.[0]?.extensions?.code)}`],
  };
}

const mix: readonly [number, (caller: Caller) => Operation][] = [
  [30, firstPage],
  [20, deepPage],
  [15, mixedNodes],
  [10, oneNode],
  [15, severalOrgs],
  [10, badInput],
];
function nextOperation(): Operation {
  let ticket = random() * mix.reduce((sum, [weight]) => sum + weight, 0);
  const caller = pick(callers);
  for (const [weight, make] of mix) {
    ticket -= weight;
    if (ticket < 0) return make(caller);
  }
  return firstPage(caller);
}

// --- the run ------------------------------------------------------------------

const upstream = forkTs('./upstream.ts', {
  LATENCY_MS: '2',
  FAULT_RATE: String(faultRate),
  ACCESS: JSON.stringify(access),
});
const upstreamUrl = await ready<string>(upstream);
let log = '';
const { child, url } = await startGatewayProcess(
  [new URL('dist/main.js', root).pathname],
  { NODE_ENV: 'production', UPSTREAM_URL: upstreamUrl, UPSTREAM_TOKEN: upstreamToken },
  {
    onOutput: (text) => {
      log += text;
    },
  },
);
const pid = child.pid as number;
const openFiles = () => readdirSync(`/proc/${pid}/fd`).length;
const client = new Agent({ connections: 256 });

const filesAtStart = openFiles();
const rssSamples: { atS: number; mb: number }[] = [];
const byKind = new Map<string, number>();
const codes = new Map<string, number>();
const failures: string[] = [];
let non200 = 0;
let secretsInResponses = 0;
let inFlight = 0;
let skipped = 0;
const maxInFlight = 500;

async function run(operation: Operation): Promise<void> {
  byKind.set(operation.kind, (byKind.get(operation.kind) ?? 0) + 1);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(operation.caller.authorization ? { authorization: operation.caller.authorization } : {}),
      },
      body: JSON.stringify(operation.body),
      signal: AbortSignal.timeout(30_000),
      dispatcher: client,
    });
    const text = await response.text();
    if (response.status !== 200) non200++;
    if (/sk_(live|test)_/.test(text) || tokens.some((token) => text.includes(token))) secretsInResponses++;
    const answer = JSON.parse(text) as Answer;
    for (const error of answer.errors ?? []) {
      const code = error.extensions?.code ?? 'none';
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (!contractCodes.has(code)) failures.push(`${operation.kind}: ${code} (${error.message})`);
    }
    for (const problem of operation.check(answer))
      failures.push(`${operation.kind} as ${operation.caller.name}: ${problem}`);
  } catch (error) {
    failures.push(`${operation.kind}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const started = Date.now();
const intervalMs = 1000 / rate;
const sampler = setInterval(() => rssSamples.push({ atS: (Date.now() - started) / 1000, mb: rssMb(pid) }), 5_000);
const pending = new Set<Promise<void>>();
for (let i = 0; Date.now() - started < durationS * 1000; i++) {
  const due = started + i * intervalMs;
  if (due > Date.now()) await sleep(due - Date.now());
  // Never an unbounded pile of requests: past the bound, the soak skips and says so.
  if (inFlight >= maxInFlight) {
    skipped++;
    continue;
  }
  inFlight++;
  const done = run(nextOperation()).finally(() => {
    inFlight--;
    pending.delete(done);
  });
  pending.add(done);
}
await Promise.all(pending);
clearInterval(sampler);
const operations = [...byKind.values()].reduce((sum, count) => sum + count, 0);

// Idle: client connections closed, the upstream's keep-alive (5 s) runs out.
await client.close();
await sleep(7_000);
const filesAtEnd = openFiles();
child.kill('SIGTERM');
upstream.kill('SIGTERM');
await Promise.all([once(child, 'exit'), once(upstream, 'exit')]);

const half = Math.floor(rssSamples.length / 2);
const firstHalf = median(rssSamples.slice(0, half).map((sample) => sample.mb));
const secondHalf = median(rssSamples.slice(half).map((sample) => sample.mb));
const growth = (secondHalf / firstHalf - 1) * 100;
const secretsInLog = [...tokens, ...secretKeys].filter((secret) => log.includes(secret)).length;
const stackTraces = (log.match(/\n\s+at /g) ?? []).length;

const verdicts = [
  failures.length === 0 || `${failures.length} wrong answers`,
  non200 === 0 || `${non200} answers not HTTP 200`,
  secretsInResponses === 0 || `${secretsInResponses} responses held a secret or token`,
  secretsInLog === 0 || `${secretsInLog} secrets or tokens in the log`,
  growth < Number(flags['max-rss-growth']) || `RSS grew ${growth.toFixed(1)}% from the first half to the second`,
  filesAtEnd <= filesAtStart || `file descriptors ${filesAtStart} -> ${filesAtEnd}`,
  skipped === 0 || `${skipped} operations skipped: over ${maxInFlight} in flight`,
].filter((verdict): verdict is string => verdict !== true);

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
const summary = [
  `# Soak: ${durationS >= 60 ? `${durationS / 60} minutes` : `${durationS} s`} at ${rate} operations/s, ${faultRate * 100}% upstream faults`,
  '',
  `HEAD ${commit}, ${new Date().toISOString().slice(0, 10)} (the gateway is dist/ as \`npm run build\` left it); \`npm run soak -- ${process.argv.slice(2).join(' ')}\`.`,
  '',
  '| measure | value |',
  '| --- | --- |',
  `| operations | ${operations} (${[...byKind].map(([kind, count]) => `${kind} ${count}`).join(', ')}) |`,
  `| distinct documents | ${distinctDocuments} |`,
  `| wrong answers | ${failures.length} |`,
  `| answers not HTTP 200 | ${non200} |`,
  `| error codes seen | ${
    [...codes]
      .sort()
      .map(([code, count]) => `${code} ${count}`)
      .join(', ') || 'none'
  } |`,
  `| RSS median, first half -> second half | ${firstHalf.toFixed(0)} -> ${secondHalf.toFixed(0)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%) |`,
  `| RSS min / max | ${Math.min(...rssSamples.map((s) => s.mb)).toFixed(0)} / ${Math.max(...rssSamples.map((s) => s.mb)).toFixed(0)} MB |`,
  `| open file descriptors, start -> end (idle) | ${filesAtStart} -> ${filesAtEnd} |`,
  `| secrets or tokens in responses / log | ${secretsInResponses} / ${secretsInLog} |`,
  `| stack-trace lines in the log | ${stackTraces} |`,
  '',
  verdicts.length === 0 ? 'Verdict: **pass**.' : `Verdict: **FAIL**: ${verdicts.join('; ')}.`,
  '',
  `RSS every 5 s (MB): ${rssSamples.map((sample) => sample.mb.toFixed(0)).join(' ')}`,
  ...(failures.length > 0
    ? ['', 'First wrong answers:', ...failures.slice(0, 10).map((failure) => `- ${failure}`)]
    : []),
].join('\n');
console.log(summary);
if (flags.record) writeFileSync(new URL('bench/SOAK.md', root), `${summary}\n`);
process.exit(verdicts.length === 0 ? 0 : 1);
