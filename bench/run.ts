// `npm run bench`: the gateway against a plain passthrough proxy, on the same
// demo upstream, scenario by scenario, in alternating rounds (A B A B) so that
// machine drift hits both. Figures are ratios against the passthrough measured
// in the same run. Loopback only. Scenario p loads one gateway two ways, its
// query as text and by id from a manifest, and reports the one over the other.

import { type ChildProcess, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  forkTs,
  gatewayRequest,
  type HttpRequest,
  type LoadRound,
  measureLoad,
  median,
  peakRssMb,
  ready,
  startGateway,
  startUpstream,
  upstreamCount,
} from './processes.ts';
import { type Scenario, scenarios } from './scenarios.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    latency: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    scenarios: { type: 'string', default: scenarios.map((scenario) => scenario.name).join(',') },
    record: { type: 'boolean', default: false },
  },
});
const durationS = Number(flags.duration);
const connections = Number(flags.connections);
const rounds = Number(flags.rounds);
const chosen = scenarios.filter((scenario) => flags.scenarios.split(',').includes(scenario.name));
const root = new URL('..', import.meta.url);

interface Target {
  readonly name: 'gateway' | 'gateway, documentId' | 'passthrough';
  readonly pid: number;
  request(scenario: Scenario): HttpRequest;
}

interface Round extends LoadRound {
  readonly upstreamCallsPerOp: number;
}

async function load(target: Target, scenario: Scenario, seconds: number, upstream: ChildProcess): Promise<Round> {
  const callsBefore = await upstreamCount(upstream);
  const round = await measureLoad(
    target.pid,
    target.request(scenario),
    { connections, seconds },
    `${target.name} ${scenario.name}`,
  );
  return { ...round, upstreamCallsPerOp: ((await upstreamCount(upstream)) - callsBefore) / round.ops };
}

/** Both targets must answer with the same assistants before either is loaded. */
async function checkSameAssistants(gateway: Target, passthrough: Target, scenario: Scenario): Promise<number> {
  const answer = async (target: Target) => {
    const { url, method, body, headers } = target.request(scenario);
    const response = await fetch(url, { method, body, headers });
    return response.json();
  };
  const fromGateway = await answer(gateway);
  if ((fromGateway as { errors?: unknown }).errors) {
    throw new Error(`gateway ${scenario.name}: ${JSON.stringify((fromGateway as { errors: unknown }).errors)}`);
  }
  const raw = await answer(passthrough);
  const pages = scenario.upstreamPaths.length === 1 ? [raw as { id: string }[]] : (raw as { id: string }[][]);
  const gatewayIds = scenario.gatewayIds(fromGateway);
  const upstreamIds = scenario.upstreamIds(pages);
  if (gatewayIds.length === 0 || JSON.stringify(gatewayIds) !== JSON.stringify(upstreamIds)) {
    throw new Error(`scenario ${scenario.name}: the targets disagree on the assistants`);
  }
  return gatewayIds.length;
}

// --- the run -----------------------------------------------------------------

const { child: upstream, url: upstreamUrl } = await startUpstream(flags.latency);
const passthroughChild = forkTs('./passthrough.ts', { UPSTREAM_URL: upstreamUrl });
const passthroughPort = await ready<number>(passthroughChild);
execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const gatewayProcess = await startGateway(new URL('dist/main.js', root), upstreamUrl);

// Scenarios marked `cached` load a second gateway, with the page cache on.
const cachedProcess = chosen.some((scenario) => scenario.cached)
  ? await startGateway(new URL('dist/main.js', root), upstreamUrl, { CACHE_TTL_MS: '600000' })
  : undefined;
// Scenarios marked `workers` load a gateway of that many worker processes (its CPU and memory: all of them).
const workersProcess = chosen.find((scenario) => scenario.workers)?.workers;
const workersGateway = workersProcess
  ? await startGateway(new URL('dist/main.js', root), upstreamUrl, { WORKERS: String(workersProcess) })
  : undefined;
// Scenarios marked `persisted` load a gateway started with a manifest of their queries, written here.
/** A query's id in that manifest: its SHA-256, as graphql-codegen's client preset names documents. */
const documentIdOf = (scenario: Scenario) => `sha256:${createHash('sha256').update(scenario.query).digest('hex')}`;
const persistedScenarios = chosen.filter((scenario) => scenario.persisted);
let persistedGateway: { child: ChildProcess; url: string } | undefined;
if (persistedScenarios.length > 0) {
  const dir = mkdtempSync(join(os.tmpdir(), 'gateway-bench-manifest-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const manifest = join(dir, 'persisted-documents.json');
  const documents = Object.fromEntries(persistedScenarios.map((scenario) => [documentIdOf(scenario), scenario.query]));
  writeFileSync(manifest, `${JSON.stringify(documents, null, 2)}\n`);
  persistedGateway = await startGateway(new URL('dist/main.js', root), upstreamUrl, { PERSISTED_DOCUMENTS: manifest });
}
const gatewayAt = (started: { child: ChildProcess; url: string }): Target => ({
  name: 'gateway',
  pid: started.child.pid as number,
  request: (scenario) => gatewayRequest(started.url, scenario),
});
/** The same gateway asked by id alone: no query text in the request. */
const byIdAt = (started: { child: ChildProcess; url: string }): Target => ({
  name: 'gateway, documentId',
  pid: started.child.pid as number,
  request: (scenario) => ({
    url: started.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ documentId: documentIdOf(scenario), variables: scenario.variables }),
  }),
});
const plainGateway = gatewayAt(gatewayProcess);
const gatewayFor = (scenario: Scenario): Target => {
  if (scenario.persisted && persistedGateway) return gatewayAt(persistedGateway);
  if (scenario.cached && cachedProcess) return gatewayAt(cachedProcess);
  if (scenario.workers && workersGateway) return gatewayAt(workersGateway);
  return plainGateway;
};
const passthrough: Target = {
  name: 'passthrough',
  pid: passthroughChild.pid as number,
  request: (scenario) => ({ url: `http://127.0.0.1:${passthroughPort}/${scenario.name}`, method: 'GET' }),
};

interface Row {
  scenario: string;
  description: string;
  assistants: number;
  target: Target['name'];
  opsPerSecond: number;
  ratio: number;
  p50Ms: number;
  p99Ms: number;
  upstreamCallsPerOp: number;
  plannedCallsPerOp: number;
  cpuMsPerOp: number;
  mainThreadCpuMsPerOp: number;
  peakRssMb: number;
}
const rows: Row[] = [];

/** One figure of the by-id target over the text target: the median of the rounds' ratios, and each round's. */
interface RoundRatios {
  median: number;
  rounds: number[];
}
/** A `persisted` scenario's by-id rounds against its text rounds, round by round (one gateway process). */
interface PersistedComparison {
  scenario: string;
  opsPerSecond: RoundRatios;
  p50Ms: RoundRatios;
  p99Ms: RoundRatios;
  meanLatencyMs: RoundRatios;
  cpuMsPerOp: RoundRatios;
  mainThreadCpuMsPerOp: RoundRatios;
}
const comparisons: PersistedComparison[] = [];

for (const scenario of chosen) {
  const gateway = gatewayFor(scenario);
  const byId = scenario.persisted && persistedGateway ? byIdAt(persistedGateway) : undefined;
  const targets = byId ? [gateway, byId, passthrough] : [gateway, passthrough];
  const assistants = await checkSameAssistants(gateway, passthrough, scenario);
  if (byId) await checkSameAssistants(byId, passthrough, scenario);
  // Warm up every target (JIT, connection pools, caches) before anything counts.
  for (const target of targets) await load(target, scenario, 1, upstream);
  const measured = new Map<Target['name'], Round[]>(targets.map((target) => [target.name, []]));
  for (let round = 0; round < rounds; round++) {
    // By id and as text swap places every round: neither always comes first, or right after the passthrough.
    const order = byId && round % 2 === 1 ? [byId, gateway, passthrough] : targets;
    for (const target of order) {
      measured.get(target.name)?.push(await load(target, scenario, durationS, upstream));
    }
  }
  const summary = (name: Target['name']) => {
    const list = measured.get(name) ?? [];
    return {
      opsPerSecond: median(list.map((one) => one.opsPerSecond)),
      p50Ms: median(list.map((one) => one.p50)),
      p99Ms: median(list.map((one) => one.p99)),
      upstreamCallsPerOp: median(list.map((one) => one.upstreamCallsPerOp)),
      cpuMsPerOp: median(list.map((one) => one.cpuMsPerOp)),
      mainThreadCpuMsPerOp: median(list.map((one) => one.mainThreadCpuMsPerOp)),
    };
  };
  const base = summary('passthrough');
  for (const target of targets) {
    const own = summary(target.name);
    rows.push({
      scenario: scenario.name,
      description: scenario.description,
      assistants,
      target: target.name,
      ...own,
      ratio: own.opsPerSecond / base.opsPerSecond,
      plannedCallsPerOp: scenario.upstreamPaths.length,
      peakRssMb: peakRssMb(target.pid),
    });
  }
  if (byId) {
    const text = measured.get(gateway.name) ?? [];
    const ids = measured.get(byId.name) ?? [];
    const ratios = (read: (one: Round) => number): RoundRatios => {
      const each = ids.map((one, k) => read(one) / read(text[k] as Round));
      return { median: median(each), rounds: each };
    };
    comparisons.push({
      scenario: scenario.name,
      opsPerSecond: ratios((one) => one.opsPerSecond),
      p50Ms: ratios((one) => one.p50),
      p99Ms: ratios((one) => one.p99),
      meanLatencyMs: ratios((one) => one.meanLatency),
      cpuMsPerOp: ratios((one) => one.cpuMsPerOp),
      mainThreadCpuMsPerOp: ratios((one) => one.mainThreadCpuMsPerOp),
    });
  }
  process.stderr.write(`scenario ${scenario.name} done\n`);
}

// --- the report --------------------------------------------------------------

const fixed = (value: number, digits: number) => value.toFixed(digits);
const table = [
  '| scenario | target | ops/s | × passthrough | p50 ms | p99 ms | upstream calls/op (planned) | CPU ms/op (main thread) | peak RSS MB so far |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.scenario}: ${row.description} | ${row.target} | ${fixed(row.opsPerSecond, 0)} | ${fixed(row.ratio, 2)} | ${fixed(row.p50Ms, 1)} | ${fixed(row.p99Ms, 1)} | ${fixed(row.upstreamCallsPerOp, 2)} (${row.plannedCallsPerOp}) | ${fixed(row.cpuMsPerOp, 2)} (${fixed(row.mainThreadCpuMsPerOp, 2)}) | ${fixed(row.peakRssMb, 0)} |`,
  ),
].join('\n');
const persistedTable = comparisons.flatMap((comparison) => {
  const line = (figure: string, ratio: RoundRatios) =>
    `| ${figure} | ${fixed(ratio.median, 3)} | ${ratio.rounds.map((one) => fixed(one, 3)).join(', ')} |`;
  return [
    `| ${comparison.scenario}: by id ÷ as text, one gateway, rounds alternating | median of the rounds | each round |`,
    '| --- | ---: | --- |',
    line('ops/s', comparison.opsPerSecond),
    line('p50 latency', comparison.p50Ms),
    line('p99 latency', comparison.p99Ms),
    line('mean latency', comparison.meanLatencyMs),
    line('CPU ms/op', comparison.cpuMsPerOp),
    line('CPU ms/op, main thread', comparison.mainThreadCpuMsPerOp),
  ];
});
const tables = persistedTable.length > 0 ? `${table}\n\n${persistedTable.join('\n')}` : table;

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
const command = `npm run bench -- --duration ${durationS} --connections ${connections} --latency ${flags.latency} --rounds ${rounds}`;
const report = {
  date: new Date().toISOString(),
  machine,
  command,
  rows,
  ...(comparisons.length > 0 ? { persisted: comparisons } : {}),
};

mkdirSync(new URL('.bench-tmp/', root), { recursive: true });
writeFileSync(new URL('.bench-tmp/results.json', root), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\n${tables}\n\n${machine}\n${command}\nJSON: .bench-tmp/results.json\n`);

if (flags.record) {
  const markdown = readFileSync(new URL('bench/RESULTS.md', root), 'utf8');
  const start = markdown.indexOf('<!-- results -->');
  const end = markdown.indexOf('<!-- /results -->');
  const block = `<!-- results -->\nMeasured ${report.date} on ${machine}.\n\nCommand: \`${command}\`\n\n${tables}\n\n\`\`\`json\n${JSON.stringify(report, null, 2)}\n\`\`\`\n<!-- /results -->`;
  writeFileSync(
    new URL('bench/RESULTS.md', root),
    `${markdown.slice(0, start)}${block}${markdown.slice(end + '<!-- /results -->'.length)}`,
  );
  process.stdout.write('recorded in bench/RESULTS.md\n');
}
process.exit(0);
