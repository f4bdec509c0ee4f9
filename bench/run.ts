// `npm run bench`: the gateway between a floor and a peer, on the same demo
// upstream, scenario by scenario: a passthrough that streams the upstream's
// bytes without decoding them (the physical limit for a gateway that must
// read the upstream), and Hive Gateway over a GraphQL Mesh OpenAPI source of
// the same REST API (the best peer). Loaded in rotating rounds so that
// machine drift hits all; every scenario's processes are started afresh for
// each of --processes runs, and every figure is the median over the runs.
// Loopback only. Scenario p loads one gateway two ways, its query as text and
// by id from a manifest, and reports the one over the other.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  forkTs,
  gatewayRequest,
  type HttpRequest,
  type LoadRound,
  machineAndOwnCpuMs,
  measureLoad,
  median,
  peakRssMb,
  ready,
  startGateway,
  startUpstream,
  upstreamCount,
  upstreamPaths,
} from './processes.ts';
import { meshPages, meshQuery, type Scenario, scenarios } from './scenarios.ts';

const allScenarios = scenarios.map((scenario) => scenario.name).join(',');
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    latency: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    // Runs, each with every scenario's processes started afresh; each figure is the median of the runs.
    processes: { type: 'string', default: '3' },
    // Seconds of load on each fresh process before its rounds: what the JIT and the pools do first does not count.
    warmup: { type: 'string', default: '2' },
    scenarios: { type: 'string', default: allScenarios },
    record: { type: 'boolean', default: false },
  },
});
const durationS = Number(flags.duration);
const connections = Number(flags.connections);
const rounds = Number(flags.rounds);
const processes = Number(flags.processes);
const warmupS = Number(flags.warmup);
const chosen = scenarios.filter((scenario) => flags.scenarios.split(',').includes(scenario.name));
for (const [name, value] of [
  ['--duration', durationS],
  ['--connections', connections],
  ['--rounds', rounds],
  ['--processes', processes],
  ['--warmup', warmupS],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${name} must be a whole number of at least 1\n`);
    process.exit(2);
  }
}
if (chosen.length !== flags.scenarios.split(',').length) {
  process.stderr.write(`--scenarios: choose from ${allScenarios}\n`);
  process.exit(2);
}
const root = new URL('..', import.meta.url);

const peerName = 'Hive Gateway';
type TargetName = 'gateway' | 'gateway, documentId' | 'passthrough' | typeof peerName;

interface Target {
  readonly name: TargetName;
  readonly pid: number;
  request(scenario: Scenario): HttpRequest;
  /** The assistant ids of its answer, in order. */
  ids(scenario: Scenario, body: unknown): string[];
}

interface Round extends LoadRound {
  readonly upstreamCallsPerOp: number;
}

async function load(target: Target, scenario: Scenario, seconds: number): Promise<Round> {
  const callsBefore = await upstreamCount(upstream.child);
  const round = await measureLoad(
    target.pid,
    target.request(scenario),
    { connections, seconds },
    `${target.name} ${scenario.name}`,
  );
  return { ...round, upstreamCallsPerOp: ((await upstreamCount(upstream.child)) - callsBefore) / round.ops };
}

/**
 * Every target must answer with the gateway's assistants, and ask the
 * upstream for exactly what the gateway asks (the scenario's planned paths),
 * before any is loaded.
 */
async function checkTargets(targets: readonly Target[], scenario: Scenario): Promise<number> {
  let expected: string[] | undefined;
  for (const target of targets) {
    await upstreamPaths(upstream.child); // forget what came before
    const { url, method, body, headers } = target.request(scenario);
    const response = await fetch(url, { method, body, headers });
    const answer = (await response.json()) as { errors?: unknown };
    if (!response.ok || answer.errors) {
      throw new Error(`${target.name} ${scenario.name}: ${response.status} ${JSON.stringify(answer.errors ?? answer)}`);
    }
    const asked = (await upstreamPaths(upstream.child)).sort();
    if (JSON.stringify(asked) !== JSON.stringify([...scenario.upstreamPaths].sort())) {
      throw new Error(
        `${target.name} ${scenario.name}: asked the upstream for ${asked.join(' ')}, not ${scenario.upstreamPaths.join(' ')}`,
      );
    }
    const ids = target.ids(scenario, answer);
    expected ??= ids;
    if (ids.length === 0 || JSON.stringify(ids) !== JSON.stringify(expected)) {
      throw new Error(`scenario ${scenario.name}: ${target.name} and ${targets[0]?.name} disagree on the assistants`);
    }
  }
  return expected?.length ?? 0;
}

// --- the processes -------------------------------------------------------------

/** What else the machine ran meanwhile: all the cores' CPU time, against this bench's own processes'. */
const cpuAtStart = machineAndOwnCpuMs();
const startedAt = performance.now();
const upstream = await startUpstream(flags.latency, { recordPaths: true });
execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const main = new URL('dist/main.js', root);
const benchDir = mkdtempSync(join(os.tmpdir(), 'gateway-bench-run-'));
process.on('exit', () => rmSync(benchDir, { recursive: true, force: true }));

// The peer's supergraph, composed once from the OpenAPI description, its endpoint this run's upstream.
let supergraph: string | undefined;
if (chosen.some((scenario) => scenario.peer)) {
  const composer = forkTs('./hive-gateway.ts', {
    UPSTREAM_URL: upstream.url,
    MESH_COMPOSE_TO: join(benchDir, 'supergraph.graphql'),
  });
  supergraph = await ready<string>(composer);
}

/** A query's id in the manifest of `persisted` scenarios: its SHA-256, as graphql-codegen's client preset names documents. */
const documentIdOf = (scenario: Scenario) => `sha256:${createHash('sha256').update(scenario.query).digest('hex')}`;
const persistedScenarios = chosen.filter((scenario) => scenario.persisted);
const manifest = join(benchDir, 'persisted-documents.json');
if (persistedScenarios.length > 0) {
  const documents = Object.fromEntries(persistedScenarios.map((scenario) => [documentIdOf(scenario), scenario.query]));
  writeFileSync(manifest, `${JSON.stringify(documents, null, 2)}\n`);
}

/** The gateway a scenario loads: the page cache on (`cached`), worker processes (`workers`), a manifest (`persisted`). */
function gatewayEnv(scenario: Scenario): Record<string, string> {
  if (scenario.persisted) return { PERSISTED_DOCUMENTS: manifest };
  if (scenario.cached) return { CACHE_TTL_MS: '600000' };
  if (scenario.workers) return { WORKERS: String(scenario.workers) };
  return {};
}

const gatewayIds = (scenario: Scenario, body: unknown) => scenario.gatewayIds(body);

/** The processes one scenario loads, started afresh, and how to stop them. */
async function startTargets(scenario: Scenario): Promise<{ targets: Target[]; stop(): Promise<void> }> {
  const passthroughChild = forkTs('./passthrough.ts', { UPSTREAM_URL: upstream.url });
  const peerChild =
    scenario.peer && supergraph
      ? forkTs('./hive-gateway.ts', { NODE_ENV: 'production', SUPERGRAPH: supergraph })
      : undefined;
  const [gateway, passthroughPort, peerPort] = await Promise.all([
    startGateway(main, upstream.url, gatewayEnv(scenario)),
    ready<number>(passthroughChild),
    peerChild ? ready<number>(peerChild) : undefined,
  ]);
  const gatewayPid = gateway.child.pid as number;
  const targets: Target[] = [
    { name: 'gateway', pid: gatewayPid, request: (one) => gatewayRequest(gateway.url, one), ids: gatewayIds },
  ];
  if (scenario.persisted) {
    // The same gateway asked by id alone: no query text in the request.
    targets.push({
      name: 'gateway, documentId',
      pid: gatewayPid,
      request: (one) => ({
        url: gateway.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ documentId: documentIdOf(one), variables: one.variables }),
      }),
      ids: gatewayIds,
    });
  }
  targets.push({
    name: 'passthrough',
    pid: passthroughChild.pid as number,
    request: (one) => ({ url: `http://127.0.0.1:${passthroughPort}/${one.name}`, method: 'GET' }),
    ids: (one, body) =>
      one.upstreamIds(one.upstreamPaths.length === 1 ? [body as { id: string }[]] : (body as { id: string }[][])),
  });
  if (peerChild && peerPort !== undefined) {
    targets.push({
      name: peerName,
      pid: peerChild.pid as number,
      request: (one) => ({
        url: `http://127.0.0.1:${peerPort}/graphql`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: meshQuery(one) }),
      }),
      ids: (one, body) => one.upstreamIds(meshPages(one, body)),
    });
  }
  const children = [gateway.child, passthroughChild, ...(peerChild ? [peerChild] : [])];
  return {
    targets,
    async stop() {
      for (const child of children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = once(child, 'exit');
        // Worker processes (WORKERS) leave when their primary's channel closes.
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

// --- the runs ------------------------------------------------------------------

/** One target's figures in one run: medians of its rounds, and its process's peak RSS. */
interface Figures {
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  upstreamCallsPerOp: number;
  cpuMsPerOp: number;
  mainThreadCpuMsPerOp: number;
  peakRssMb: number;
}

/** One scenario in one run: each target's figures, and (persisted) the by-id rounds against the text rounds. */
interface ScenarioRun {
  assistants: number;
  figures: Map<TargetName, Figures>;
  roundPairs: { text: Round; byId: Round }[];
}

async function runScenario(scenario: Scenario): Promise<ScenarioRun> {
  const { targets, stop } = await startTargets(scenario);
  try {
    const assistants = await checkTargets(targets, scenario);
    // Warm up every target (JIT, connection pools, caches) before anything counts.
    for (const target of targets) await load(target, scenario, warmupS);
    const measured = new Map<TargetName, Round[]>(targets.map((target) => [target.name, []]));
    for (let round = 0; round < rounds; round++) {
      // The order rotates every round: no target always comes first, or right after the same other.
      const order = targets.map((_, k) => targets[(k + round) % targets.length] as Target);
      for (const target of order) measured.get(target.name)?.push(await load(target, scenario, durationS));
    }
    const figures = new Map<TargetName, Figures>();
    for (const target of targets) {
      const list = measured.get(target.name) ?? [];
      figures.set(target.name, {
        opsPerSecond: median(list.map((one) => one.opsPerSecond)),
        p50Ms: median(list.map((one) => one.p50)),
        p99Ms: median(list.map((one) => one.p99)),
        upstreamCallsPerOp: median(list.map((one) => one.upstreamCallsPerOp)),
        cpuMsPerOp: median(list.map((one) => one.cpuMsPerOp)),
        mainThreadCpuMsPerOp: median(list.map((one) => one.mainThreadCpuMsPerOp)),
        peakRssMb: peakRssMb(target.pid),
      });
    }
    const text = measured.get('gateway') ?? [];
    const byId = measured.get('gateway, documentId') ?? [];
    return {
      assistants,
      figures,
      roundPairs: byId.map((one, k) => ({ text: text[k] as Round, byId: one })),
    };
  } finally {
    await stop();
  }
}

/** Of all the cores' time between two readings, what processes other than the bench's took, in percent. */
function foreignPercent(before: ReturnType<typeof machineAndOwnCpuMs>, after: typeof before, wallMs: number): number {
  const foreign = after.machine - before.machine - (after.own - before.own);
  return (100 * Math.max(0, foreign)) / (wallMs * os.cpus().length);
}

const runs: Map<string, ScenarioRun>[] = [];
/** Each run's share of the cores that other processes took. */
const foreignByRun: number[] = [];
for (let run = 0; run < processes; run++) {
  const [cpuBefore, wallBefore] = [machineAndOwnCpuMs(), performance.now()];
  const byScenario = new Map<string, ScenarioRun>();
  for (const scenario of chosen) {
    byScenario.set(scenario.name, await runScenario(scenario));
    process.stderr.write(`scenario ${scenario.name} done (processes ${run + 1} of ${processes})\n`);
  }
  runs.push(byScenario);
  foreignByRun.push(foreignPercent(cpuBefore, machineAndOwnCpuMs(), performance.now() - wallBefore));
}

// --- the report ----------------------------------------------------------------

interface Row extends Figures {
  scenario: string;
  description: string;
  assistants: number;
  target: TargetName;
  /** ops/s ÷ the passthrough's, and ÷ the peer's: the median of the runs' ratios, and each run's. */
  ratio: number;
  ratioRuns: number[];
  peerRatio?: number;
  peerRatioRuns?: number[];
  plannedCallsPerOp: number;
}
const rows: Row[] = [];

/** One figure of the by-id target over the text target: the median of the rounds' ratios, and each round's. */
interface RoundRatios {
  median: number;
  rounds: number[];
}
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
  const each = runs.map((run) => run.get(scenario.name) as ScenarioRun);
  const first = each[0] as ScenarioRun;
  for (const name of first.figures.keys()) {
    const own = each.map((one) => one.figures.get(name) as Figures);
    const middle = (read: (figures: Figures) => number) => median(own.map(read));
    const ratiosTo = (other: TargetName) =>
      each.map(
        (one) => (one.figures.get(name) as Figures).opsPerSecond / (one.figures.get(other) as Figures).opsPerSecond,
      );
    const ratioRuns = ratiosTo('passthrough');
    const peerRatioRuns = first.figures.has(peerName) ? ratiosTo(peerName) : undefined;
    rows.push({
      scenario: scenario.name,
      description: scenario.description,
      assistants: first.assistants,
      target: name,
      opsPerSecond: middle((one) => one.opsPerSecond),
      p50Ms: middle((one) => one.p50Ms),
      p99Ms: middle((one) => one.p99Ms),
      upstreamCallsPerOp: middle((one) => one.upstreamCallsPerOp),
      cpuMsPerOp: middle((one) => one.cpuMsPerOp),
      mainThreadCpuMsPerOp: middle((one) => one.mainThreadCpuMsPerOp),
      peakRssMb: middle((one) => one.peakRssMb),
      ratio: median(ratioRuns),
      ratioRuns,
      ...(peerRatioRuns ? { peerRatio: median(peerRatioRuns), peerRatioRuns } : {}),
      plannedCallsPerOp: scenario.upstreamPaths.length,
    });
  }
  const pairs = each.flatMap((one) => one.roundPairs);
  if (pairs.length > 0) {
    const ratios = (read: (one: Round) => number): RoundRatios => {
      const all = pairs.map((pair) => read(pair.byId) / read(pair.text));
      return { median: median(all), rounds: all };
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
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const table = [
  `| scenario | target | ops/s | × passthrough | × ${peerName} | p50 ms | p99 ms | upstream calls/op (planned) | CPU ms/op (main thread) | peak RSS MB |`,
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.scenario}: ${row.description} | ${row.target} | ${fixed(row.opsPerSecond, 0)} | ${fixed(row.ratio, 2)} | ${row.peerRatio === undefined ? '' : fixed(row.peerRatio, 2)} | ${fixed(row.p50Ms, 1)} | ${fixed(row.p99Ms, 1)} | ${fixed(row.upstreamCallsPerOp, 2)} (${row.plannedCallsPerOp}) | ${fixed(row.cpuMsPerOp, 2)} (${fixed(row.mainThreadCpuMsPerOp, 2)}) | ${fixed(row.peakRssMb, 0)} |`,
  ),
].join('\n');
const eachRun = (list: readonly number[] | undefined) => (list ?? []).map((one) => fixed(one, 2)).join(', ');
const runsTable =
  processes > 1
    ? [
        `| scenario | gateway × passthrough, each run | gateway × ${peerName}, each run | ${peerName} × passthrough, each run |`,
        '| --- | --- | --- | --- |',
        ...chosen.map((scenario) => {
          const of = (target: TargetName) =>
            rows.find((row) => row.scenario === scenario.name && row.target === target);
          const peer = of(peerName);
          return `| ${scenario.name} | ${eachRun(of('gateway')?.ratioRuns)} | ${eachRun(of('gateway')?.peerRatioRuns)} | ${eachRun(peer?.ratioRuns)} |`;
        }),
      ].join('\n')
    : '';
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
const tables = [table, runsTable, persistedTable.join('\n')].filter(Boolean).join('\n\n');

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
const command = `npm run bench -- --duration ${durationS} --connections ${connections} --latency ${flags.latency} --rounds ${rounds} --processes ${processes} --warmup ${warmupS}${flags.scenarios === allScenarios ? '' : ` --scenarios ${flags.scenarios}`}`;
/** Of all the cores' time during the run, what processes other than the bench's took, in percent (and in each run). */
const foreignCpuPercent = foreignPercent(cpuAtStart, machineAndOwnCpuMs(), performance.now() - startedAt);
const foreign = `Other processes took ${fixed(foreignCpuPercent, 1)}% of the cores' time during the bench${processes > 1 ? ` (each run: ${foreignByRun.map((one) => `${fixed(one, 1)}%`).join(', ')})` : ''}.`;
const report = {
  date: new Date().toISOString(),
  machine,
  command,
  foreignCpuPercent,
  foreignCpuPercentByRun: foreignByRun,
  rows,
  ...(comparisons.length > 0 ? { persisted: comparisons } : {}),
};

mkdirSync(new URL('.bench-tmp/', root), { recursive: true });
writeFileSync(new URL('.bench-tmp/results.json', root), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\n${tables}\n\n${machine}\n${foreign}\n${command}\nJSON: .bench-tmp/results.json\n`);

if (flags.record) {
  // A new section at the top of the recorded runs, newest first; the older ones stay.
  const file = fileURLToPath(new URL('bench/RESULTS.md', root));
  const marker = '<!-- npm run bench --record: newest first -->';
  const markdown = readFileSync(file, 'utf8');
  const at = markdown.indexOf(marker);
  if (at === -1) throw new Error(`bench/RESULTS.md has no line ${marker}`);
  const section = `\n\n## \`npm run bench\`, ${report.date.slice(0, 10)}\n\nMeasured ${report.date} on ${machine}. ${foreign}\n\nCommand: \`${command}\`\n\n${tables}`;
  const end = at + marker.length;
  writeFileSync(file, `${markdown.slice(0, end)}${section}${markdown.slice(end)}`);
  process.stdout.write('recorded in bench/RESULTS.md\n');
}
process.exit(0);
