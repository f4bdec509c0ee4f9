// `npm run bench:serialize`: what writing an answer costs, on the answers of
// scenarios a to d (every field): `JSON.stringify` and its encoding, the
// generic walk (`ByteSink.appendJson`, what an operation without a writer
// gets) and the writer generated for the scenario's operation
// (`data-writer.ts`). The answers are the gateway's own, asked once of a
// gateway on this process's demo upstream. Rounds alternate their order, so
// that drift of the machine hits every contender alike; the medians are printed.

import { parseArgs } from 'node:util';
import { parse } from 'graphql';
import { loadConfig } from '../src/config.ts';
import { startDemoUpstream } from '../src/demo/upstream.ts';
import { startGateway } from '../src/gateway/start-gateway.ts';
import { ByteSink } from '../src/graphql/byte-sink.ts';
import { generateDataWriter } from '../src/graphql/data-writer.ts';
import { responseShapeOf } from '../src/graphql/response-shape.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createSchema } from '../src/schema/index.ts';
import { median } from './processes.ts';
import { scenarios } from './scenarios.ts';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '21' },
    // Answers written in one round.
    passes: { type: 'string', default: '200' },
    scenarios: { type: 'string', default: 'a,b,c,d' },
  },
});

const config = loadConfig({ LOG_LEVEL: 'silent' });
const upstream = await startDemoUpstream({ latencyMs: 0 });
const running = await startGateway(
  { ...config, upstreamUrl: new URL(upstream.url), port: 0, host: '127.0.0.1' },
  { logger: createLogger({ level: 'silent', format: 'json' }) },
);
const schema = createSchema({ exposeSecretKeys: false });
const chosen = scenarios.filter((scenario) => flags.scenarios.split(',').includes(scenario.name));

/** A scenario's answer as the gateway gives it, parsed: plain objects with its keys in its order. */
async function answerOf(query: string, variables: unknown): Promise<{ data: unknown }> {
  const response = await fetch(`http://127.0.0.1:${running.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data: unknown };
}

function time(write: () => unknown, passes: number): number {
  const start = performance.now();
  for (let i = 0; i < passes; i++) write();
  return (performance.now() - start) / passes;
}

const passes = Number(flags.passes);
for (const scenario of chosen) {
  const answer = await answerOf(scenario.query, scenario.variables);
  const shape = responseShapeOf(schema, parse(scenario.query));
  if (!shape) throw new Error(`scenario ${scenario.name}: its operation has no certain shape`);
  const writer = generateDataWriter(shape);
  const contenders: [string, () => unknown][] = [
    ['JSON.stringify, then encoded', () => Buffer.from(JSON.stringify(answer.data))],
    ['the generic walk', () => new ByteSink().appendJson(answer.data)],
    ['the generated writer', () => writer.write(answer.data, new ByteSink())],
  ];
  const check = new ByteSink();
  if (!writer.write(answer.data, check) || !check.written().equals(Buffer.from(JSON.stringify(answer.data)))) {
    throw new Error(`scenario ${scenario.name}: the writer's bytes are not JSON.stringify's`);
  }
  for (const [, write] of contenders) time(write, passes);
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < Number(flags.rounds); round++) {
    const order = round % 2 === 0 ? [...contenders.keys()] : [...contenders.keys()].reverse();
    for (const i of order) samples[i]?.push(time(contenders[i]?.[1] ?? (() => {}), passes));
  }
  const medians = samples.map(median);
  const base = medians[0] ?? Number.NaN;
  process.stdout.write(
    `${scenario.name}: ${(check.length / 1e3).toFixed(0)} KB of data; medians of ${flags.rounds} rounds of ${passes}\n` +
      contenders
        .map(
          ([name], i) =>
            `  ${name}: ${((medians[i] ?? 0) * 1e3).toFixed(0)} µs, ${((medians[i] ?? 0) / base).toFixed(2)}×\n`,
        )
        .join(''),
  );
}
await running.close();
await upstream.close();
