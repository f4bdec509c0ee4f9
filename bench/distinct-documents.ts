// `npm run bench:documents`: many distinct documents (they differ in an alias
// and a literal, as frontends that inline arguments send them) to one gateway
// process with its embedded demo upstream, sampling its resident memory. Memory
// must plateau: the caches that remember documents are bounded.
//
//   npm run bench:documents -- --count 50000            the production build (npm run build first)
//   npm run bench:documents -- --count 50000 --source   the source, as `npm start` runs it

import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { exampleQuery } from '../src/graphql/example-query.ts';
import { median, peakRssMb, rssMb, startGatewayProcess } from './processes.ts';

const { values: flags } = parseArgs({
  options: {
    count: { type: 'string', default: '50000' },
    concurrency: { type: 'string', default: '4' },
    source: { type: 'boolean', default: false },
    /**
     * Growth allowed over the last stretch (10,000 documents, or a fifth of a
     * shorter run), in %: the median RSS while it was sent against the median
     * over the stretch before (single samples swing with each collection).
     */
    'max-growth': { type: 'string', default: '5' },
    // Node 24's larger young generation holds about 370 MB here (Node 20: 200); see bench/RESULTS.md.
    'max-peak-mb': { type: 'string', default: '400' },
  },
});
const count = Number(flags.count);
const concurrency = Number(flags.concurrency);
const sampleEvery = Math.max(100, Math.floor(count / 50));
const lastStretch = Math.min(10_000, Math.floor(count / 5));

const root = new URL('..', import.meta.url);
const args = flags.source
  ? ['--import', 'tsx', new URL('src/main.ts', root).pathname]
  : [new URL('dist/main.js', root).pathname];
const { child, url } = await startGatewayProcess(args, {
  // The compiled build as production runs it, on the embedded demo's data (which production serves only when asked).
  ...(flags.source ? {} : { NODE_ENV: 'production', DEMO_UPSTREAM: 'true' }),
});
const pid = child.pid as number;

/** Document number `n`: the example query with its own name, alias and page size. */
function documentNumber(n: number): string {
  return exampleQuery
    .replace('query FirstAssistants', `query Distinct${n}`)
    .replace('assistants(first: 20)', `page${n}: assistants(first: ${1 + (n % 20)})`);
}

const samples: { sent: number; rssMb: number }[] = [{ sent: 0, rssMb: rssMb(pid) }];
let sent = 0;
let failed = 0;
async function sender(): Promise<void> {
  while (sent < count) {
    const n = sent++;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: documentNumber(n) }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
    if (response.status !== 200 || body.errors || !body.data) {
      failed++;
      if (failed <= 3) console.error(`document ${n}: HTTP ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
    }
    if ((n + 1) % sampleEvery === 0) samples.push({ sent: n + 1, rssMb: rssMb(pid) });
  }
}
const started = Date.now();
await Promise.all(Array.from({ length: concurrency }, sender));
const seconds = (Date.now() - started) / 1000;
const peak = peakRssMb(pid);
child.kill('SIGTERM');
await once(child, 'exit');

const medianBetween = (from: number, to: number) =>
  median(samples.filter((sample) => sample.sent > from && sample.sent <= to).map((sample) => sample.rssMb));
const lastStretchMb = medianBetween(count - lastStretch, count);
const stretchBeforeMb = medianBetween(count - 2 * lastStretch, count - lastStretch);
const growth = (lastStretchMb / stretchBeforeMb - 1) * 100;

console.log(`${count} distinct documents to ${flags.source ? 'the source (npm start)' : 'the production build'}`);
console.log(`in ${seconds.toFixed(0)} s, ${failed} failed`);
console.log('documents sent | RSS MB');
for (const sample of samples.filter((_, i) => i % 5 === 0 || i === samples.length - 1)) {
  console.log(`${String(sample.sent).padStart(14)} | ${sample.rssMb.toFixed(0)}`);
}
console.log(
  `peak RSS ${peak.toFixed(0)} MB; median RSS over the ${lastStretch} documents before the last ${lastStretch} -> over the last: ${stretchBeforeMb.toFixed(0)} -> ${lastStretchMb.toFixed(0)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%)`,
);
const verdicts = [
  failed === 0 || `${failed} documents failed`,
  growth < Number(flags['max-growth']) || `memory still grows: +${growth.toFixed(1)}% over the last ${lastStretch}`,
  peak < Number(flags['max-peak-mb']) || `peak RSS ${peak.toFixed(0)} MB is over ${flags['max-peak-mb']} MB`,
].filter((verdict): verdict is string => verdict !== true);
if (verdicts.length > 0) {
  console.error(`FAILED: ${verdicts.join('; ')}`);
  process.exitCode = 1;
} else {
  console.log('memory plateaus: OK');
}
