// `npm run bench:decode`: what decoding costs, on every page of the demo's
// data as the upstream serves it (take=100), against JSON.parse of the same
// bodies: the gateway parses every body anyway, so the ratio says what the
// decoder adds to it. `-- --against <file.ts>` also times another module's
// decodeAssistantList (an older decoder, say from
// `git show <ref>:src/upstream/decode.ts`) in the same rounds and prints this
// decoder's time over that one's. Rounds alternate their order, so that drift
// of the machine hits every contender alike; the medians are printed.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createSeedData } from '../src/demo/seed.ts';
import { decodeAssistantList } from '../src/upstream/decode.ts';
import { median } from './processes.ts';

const { values: flags } = parseArgs({
  options: {
    against: { type: 'string' },
    rounds: { type: 'string', default: '31' },
    // Passes over every page in one round.
    passes: { type: 'string', default: '20' },
  },
});

type Decode = (body: unknown, orgId: string) => unknown;

const pages = [...createSeedData()].flatMap(([orgId, assistants]) =>
  Array.from({ length: Math.ceil(assistants.length / 100) }, (_, i) => {
    const body = JSON.stringify(assistants.slice(i * 100, (i + 1) * 100));
    return { orgId, body, parsed: JSON.parse(body) as unknown };
  }),
);

/** A pass over every page: what is timed. */
const everyPage = (read: (page: (typeof pages)[number]) => unknown) => () => {
  for (const page of pages) read(page);
};
// The decoders read the parsed bodies, which they leave as they are.
const contenders: [string, () => void][] = [
  ['JSON.parse', everyPage((page) => JSON.parse(page.body))],
  ['this decoder', everyPage((page) => decodeAssistantList(page.parsed, page.orgId))],
];
if (flags.against) {
  const other = (await import(pathToFileURL(resolve(flags.against)).href)) as { decodeAssistantList: Decode };
  contenders.push([flags.against, everyPage((page) => other.decodeAssistantList(page.parsed, page.orgId))]);
}

/** Milliseconds per pass, over `passes` passes. */
function time(pass: () => void, passes: number): number {
  const start = performance.now();
  for (let i = 0; i < passes; i++) pass();
  return (performance.now() - start) / passes;
}

const passes = Number(flags.passes);
// Warm up every contender before timing any.
for (const [, pass] of contenders) time(pass, passes);
const samples = contenders.map(() => [] as number[]);
for (let round = 0; round < Number(flags.rounds); round++) {
  const order = round % 2 === 0 ? [...contenders.keys()] : [...contenders.keys()].reverse();
  for (const i of order) samples[i]?.push(time(contenders[i]?.[1] ?? (() => {}), passes));
}

const [parse = Number.NaN, ours = Number.NaN, theirs] = samples.map(median);
const bytes = pages.reduce((sum, page) => sum + page.body.length, 0);
const ms = (value: number) => `${value.toFixed(2)} ms`;
process.stdout.write(
  `${pages.length} pages, ${(bytes / 1e6).toFixed(2)} MB of JSON a pass; medians of ${flags.rounds} rounds of ${passes} passes\n` +
    `  JSON.parse: ${ms(parse)} a pass\n` +
    `  this decoder: ${ms(ours)} a pass, ${(ours / parse).toFixed(2)}× JSON.parse\n`,
);
if (theirs !== undefined) {
  process.stdout.write(
    `  ${flags.against}: ${ms(theirs)} a pass, ${(theirs / parse).toFixed(2)}× JSON.parse\n` +
      `this decoder's time over ${flags.against}'s: ${(ours / theirs).toFixed(3)}×\n`,
  );
}
