// `npm run bench`: the gateway against a plain passthrough proxy, on the same
// demo upstream, scenario by scenario, in alternating rounds (A B A B) so that
// machine drift hits both. Figures are ratios against the passthrough measured
// in the same run. Loopback only.

import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
  readonly name: 'gateway' | 'passthrough';
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
const gatewayAt = (started: { child: ChildProcess; url: string }): Target => ({
  name: 'gateway',
  pid: started.child.pid as number,
  request: (scenario) => gatewayRequest(started.url, scenario),
});
const plainGateway = gatewayAt(gatewayProcess);
const gatewayFor = (scenario: Scenario): Target => {
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

for (const scenario of chosen) {
  const gateway = gatewayFor(scenario);
  const assistants = await checkSameAssistants(gateway, passthrough, scenario);
  // Warm up both (JIT, connection pools, caches) before anything counts.
  for (const target of [gateway, passthrough]) await load(target, scenario, 1, upstream);
  const measured = new Map<Target['name'], Round[]>([
    ['gateway', []],
    ['passthrough', []],
  ]);
  for (let round = 0; round < rounds; round++) {
    for (const target of [gateway, passthrough]) {
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
  for (const target of [gateway, passthrough]) {
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

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
const command = `npm run bench -- --duration ${durationS} --connections ${connections} --latency ${flags.latency} --rounds ${rounds}`;
const report = { date: new Date().toISOString(), machine, command, rows };

mkdirSync(new URL('.bench-tmp/', root), { recursive: true });
writeFileSync(new URL('.bench-tmp/results.json', root), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\n${table}\n\n${machine}\n${command}\nJSON: .bench-tmp/results.json\n`);

if (flags.record) {
  const markdown = readFileSync(new URL('bench/RESULTS.md', root), 'utf8');
  const start = markdown.indexOf('<!-- results -->');
  const end = markdown.indexOf('<!-- /results -->');
  const block = `<!-- results -->\nMeasured ${report.date} on ${machine}.\n\nCommand: \`${command}\`\n\n${table}\n\n\`\`\`json\n${JSON.stringify(report, null, 2)}\n\`\`\`\n<!-- /results -->`;
  writeFileSync(
    new URL('bench/RESULTS.md', root),
    `${markdown.slice(0, start)}${block}${markdown.slice(end + '<!-- /results -->'.length)}`,
  );
  process.stdout.write('recorded in bench/RESULTS.md\n');
}
process.exit(0);
