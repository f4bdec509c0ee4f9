// `npm run bench:memory`: the peak resident memory of one gateway process
// under two loads that once made it balloon, each on a fresh process with the
// demo upstream in this one. test/main.test.ts checks what these loads are
// answered; how much memory that takes is measured here.
//
//   refetch      50 concurrent `nodes` of 21 ids over 7 large orgs (a scan
//                holds what it found, not the pages it read; before: 680 MB)
//   large-pages  ten aliased windows on 20 MB upstream pages, each refused on
//                its own while /health still answers
//
//   npm run bench:memory                 the production build (npm run build first)
//   npm run bench:memory -- --source     the source, as `npm start` (and the tests) run it

import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createSeedData } from '../src/demo/seed.ts';
import { startDemoUpstream } from '../src/demo/upstream.ts';
import { encodeGlobalId } from '../src/schema/global-id.ts';
import { peakRssMb, startGatewayProcess } from './processes.ts';

const { values: flags } = parseArgs({
  options: {
    source: { type: 'boolean', default: false },
    // The bounds test/main.test.ts asserted when the source ran under it.
    'max-refetch-peak-mb': { type: 'string', default: '500' },
    'max-large-pages-peak-mb': { type: 'string', default: '600' },
  },
});

const root = new URL('..', import.meta.url);
const args = flags.source
  ? ['--import', 'tsx', new URL('src/main.ts', root).pathname]
  : [new URL('dist/main.js', root).pathname];

interface Outcome {
  readonly peakMb: number;
  /** What was answered that should not have been; empty when every answer was right. */
  readonly wrong: string[];
}

/** A fresh gateway on `upstreamUrl`, through `load`; its peak RSS once the load is answered. */
async function measure(upstreamUrl: string, load: (url: string) => Promise<string[]>): Promise<Outcome> {
  const { child, url } = await startGatewayProcess(args, {
    UPSTREAM_URL: upstreamUrl,
    ...(flags.source ? {} : { NODE_ENV: 'production' }),
  });
  try {
    const wrong = await load(url);
    return { peakMb: peakRssMb(child.pid as number), wrong };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

async function post<T>(url: string, query: string, variables?: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as T;
}

async function refetch(): Promise<Outcome> {
  const data = createSeedData();
  const initech = data.get('initech') ?? [];
  const orgs = Array.from({ length: 7 }, (_, i) => `large${i}`);
  for (const org of orgs) data.set(org, initech);
  // Latency keeps the 50 requests' scans in flight together, as a busy upstream would.
  await using upstream = await startDemoUpstream({ data, latencyMs: 50, recordRequests: false });
  const ids = orgs.flatMap((org) => [10, 180, 340].map((i) => encodeGlobalId('Assistant', `${org}/${initech[i]?.id}`)));
  const wanted = JSON.stringify(orgs.flatMap(() => [10, 180, 340].map((i) => initech[i]?.id)));
  const query = 'query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Assistant { restId config { instructions } } } }';
  // Awaited here: the upstream is closed when this function returns.
  return await measure(upstream.url, async (url) => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post<{ data?: { nodes: ({ restId: string } | null)[] } }>(url, query, { ids })),
    );
    const got = answers.map((answer) => JSON.stringify(answer.data?.nodes.map((node) => node?.restId)));
    return got.filter((one) => one !== wanted);
  });
}

async function largePages(): Promise<Outcome> {
  await using upstream = await startDemoUpstream({ recordRequests: false });
  upstream.inject({ padTo: 20_000_000 });
  const windows = Array.from(
    { length: 10 },
    (_, i) => `w${i}: organization(restId: "initech") { assistants(first: ${i + 1}) { nodes { restId } } }`,
  );
  // Awaited here: the upstream is closed when this function returns.
  return await measure(upstream.url, async (url) => {
    const answer = post<{ errors?: { extensions: { code: string } }[] }>(url, `{ ${windows.join(' ')} }`);
    const health = (await fetch(url.replace('/graphql', '/health'))).status;
    const codes = ((await answer).errors ?? []).map((error) => error.extensions.code);
    return [
      ...(health === 200 ? [] : [`/health answered ${health} under the load`]),
      ...(codes.length === 10 && codes.every((code) => code === 'UPSTREAM_BAD_RESPONSE')
        ? []
        : [`codes ${codes.join(', ')}`]),
    ];
  });
}

const scenarios = [
  { name: 'refetch', run: refetch, maxMb: Number(flags['max-refetch-peak-mb']) },
  { name: 'large-pages', run: largePages, maxMb: Number(flags['max-large-pages-peak-mb']) },
];

console.log(`peak RSS of ${flags.source ? 'the source (npm start)' : 'the production build'}, one fresh process each`);
console.log('| scenario | peak RSS MB | bound MB |');
console.log('| --- | --- | --- |');
const verdicts: string[] = [];
for (const scenario of scenarios) {
  const { peakMb, wrong } = await scenario.run();
  console.log(`| ${scenario.name} | ${peakMb.toFixed(0)} | ${scenario.maxMb} |`);
  if (wrong.length > 0) verdicts.push(`${scenario.name}: ${wrong.length} wrong answers (${wrong[0]})`);
  if (peakMb >= scenario.maxMb)
    verdicts.push(`${scenario.name}: peak RSS ${peakMb.toFixed(0)} MB is over ${scenario.maxMb} MB`);
}
if (verdicts.length > 0) {
  console.error(`FAILED: ${verdicts.join('; ')}`);
  process.exitCode = 1;
} else {
  console.log('memory within bounds: OK');
}
