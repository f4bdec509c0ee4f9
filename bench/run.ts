// `npm run bench`: the gateway against a plain passthrough proxy, on the same
// demo upstream, scenario by scenario, in alternating rounds (A B A B) so that
// machine drift hits both. Figures are ratios against the passthrough measured
// in the same run. Loopback only.

import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
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

// --- the processes under test ---------------------------------------------------

function forkTs(file: string, env: Record<string, string>): ChildProcess {
  return fork(new URL(file, import.meta.url), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

async function ready<T>(child: ChildProcess): Promise<T> {
  const [message] = (await once(child, 'message')) as [{ ready: T }];
  return message.ready;
}

function upstreamCount(upstream: ChildProcess): Promise<number> {
  const answer = once(upstream, 'message').then(([message]) => (message as { count: number }).count);
  upstream.send('count');
  return answer;
}

/** The gateway as users run it in production: compiled, NODE_ENV=production. */
async function startGateway(upstreamUrl: string): Promise<{ child: ChildProcess; url: string }> {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', PORT: '0', UPSTREAM_URL: upstreamUrl, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  for await (const chunk of child.stdout as NodeJS.ReadableStream) {
    output += chunk;
    const match = /gateway ready: (http:\/\/localhost:\d+\/graphql)/.exec(output);
    if (match) return { child, url: (match[1] as string).replace('localhost', '127.0.0.1') };
  }
  throw new Error(`the gateway did not start:\n${output}`);
}

// --- measuring ---------------------------------------------------------------

/**
 * CPU time (user + system) so far, in ms: of the whole process, or of its
 * main thread alone (the one that runs JavaScript; V8's garbage collector and
 * compiler also work on helper threads).
 */
function cpuMs(pid: number, of: 'process' | 'main thread' = 'process'): number {
  const stat = of === 'process' ? `/proc/${pid}/stat` : `/proc/${pid}/task/${pid}/stat`;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // Linux reports CPU time in ticks of 1/100 s.
}

/** The most resident memory a process has held, in MB. */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

interface Target {
  readonly name: 'gateway' | 'passthrough';
  readonly pid: number;
  request(scenario: Scenario): { url: string; method: 'GET' | 'POST'; body?: string; headers?: Record<string, string> };
}

interface Round {
  readonly opsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly upstreamCallsPerOp: number;
  readonly cpuMsPerOp: number;
  readonly mainThreadCpuMsPerOp: number;
}

async function load(target: Target, scenario: Scenario, seconds: number, upstream: ChildProcess): Promise<Round> {
  const cpuBefore = cpuMs(target.pid);
  const mainThreadBefore = cpuMs(target.pid, 'main thread');
  const callsBefore = await upstreamCount(upstream);
  const result = await autocannon({ ...target.request(scenario), connections, duration: seconds });
  const ops = result.requests.total;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${target.name} ${scenario.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  return {
    opsPerSecond: ops / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    upstreamCallsPerOp: ((await upstreamCount(upstream)) - callsBefore) / ops,
    cpuMsPerOp: (cpuMs(target.pid) - cpuBefore) / ops,
    mainThreadCpuMsPerOp: (cpuMs(target.pid, 'main thread') - mainThreadBefore) / ops,
  };
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

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

// --- the run -----------------------------------------------------------------

const upstream = forkTs('./upstream.ts', { LATENCY_MS: flags.latency });
const upstreamUrl = await ready<string>(upstream);
const passthroughChild = forkTs('./passthrough.ts', { UPSTREAM_URL: upstreamUrl });
const passthroughPort = await ready<number>(passthroughChild);
const gatewayProcess = await startGateway(upstreamUrl);
const children = [upstream, passthroughChild, gatewayProcess.child];
process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});

const gateway: Target = {
  name: 'gateway',
  pid: gatewayProcess.child.pid as number,
  request: (scenario) => ({
    url: gatewayProcess.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: scenario.query, variables: scenario.variables }),
  }),
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
