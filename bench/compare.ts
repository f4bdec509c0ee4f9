// `npm run bench:compare -- --base <git ref>`: this working tree's gateway
// (or, with --head, another commit's) against the gateway built from another
// commit, each on the Node.js its flag names (--base-node, --head-node;
// default: this one), so a run can also hold one commit to two Node.js
// versions. On one demo upstream, in
// alternating rounds (A B B A A B …) so that machine drift hits both, or with
// --together both at once on one shared core, so that it hits both alike.
// What a change does to throughput and CPU, as ratios from one run. Loopback only.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  gatewayRequest,
  type HttpRequest,
  type LoadRound,
  measureLoad,
  median,
  peakRssMb,
  startGateway,
  startTraceSink,
  startUpstream,
} from './processes.ts';
import { scenarios } from './scenarios.ts';

const { values: flags } = parseArgs({
  options: {
    base: { type: 'string' },
    // The other side: this working tree unless a ref is given.
    head: { type: 'string' },
    // The node binaries that run each side (a Node.js version against another, on one commit or two).
    'base-node': { type: 'string', default: process.execPath },
    'head-node': { type: 'string', default: process.execPath },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '10' },
    latency: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '6' },
    scenarios: { type: 'string', default: 'a,b,c' },
    // This tree's gateway traces every request to a local OTLP sink; the base runs as it is.
    trace: { type: 'boolean', default: false },
    // The gateways on the last core, the load and the upstream on the others (Linux's taskset):
    // the scheduler then moves neither, and rounds vary less.
    pin: { type: 'boolean', default: false },
    // Both gateways under load at the same time, pinned to one core that the scheduler shares between them
    // (fairly by thread, so a build with busier helper threads gets a little more): each round's ratio is
    // then taken in the same moment of the machine. Implies --pin.
    together: { type: 'boolean', default: false },
    // Runs, each with both gateways started afresh; the table gives the median of the runs.
    processes: { type: 'string', default: '1' },
  },
});
if (!flags.base) {
  process.stderr.write(
    'usage: npm run bench:compare -- --base <git ref> [--head <git ref>] [--base-node PATH] [--head-node PATH] [--scenarios a,b,c] [--rounds 6] [--trace] [--pin] [--together] [--processes 1]\n',
  );
  process.exit(2);
}
const load = { connections: Number(flags.connections), seconds: Number(flags.duration) };
const rounds = Number(flags.rounds);
const processes = Number(flags.processes);
const chosen = scenarios.filter((scenario) => flags.scenarios.split(',').includes(scenario.name));
for (const [name, value] of [
  ['--connections', load.connections],
  ['--duration', load.seconds],
  ['--rounds', rounds],
  ['--processes', processes],
] as const) {
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${name} must be a whole number of at least 1\n`);
    process.exit(2);
  }
}
if (chosen.length !== flags.scenarios.split(',').length) {
  process.stderr.write(`--scenarios: choose from ${scenarios.map((scenario) => scenario.name).join(', ')}\n`);
  process.exit(2);
}
const root = new URL('..', import.meta.url);

/**
 * The base commit's sources, compiled: with this checkout's dependencies when
 * its lock file is the same, else with its own, installed once per lock file.
 */
function buildRef(ref: string, side: 'base' | 'head'): URL {
  const dir = new URL(`.bench-tmp/compare-${side}/`, root);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', ref, 'src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', fileURLToPath(dir)], { input: archive });
  symlinkSync(fileURLToPath(dependenciesOf(ref)), fileURLToPath(new URL('node_modules', dir)));
  // With its own TypeScript: a commit is built by the compiler it was written for.
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('node_modules/typescript/bin/tsc', dir)), '-p', 'tsconfig.build.json'],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  return new URL('dist/main.js', dir);
}

/** The node_modules that `ref`'s lock file installs. */
function dependenciesOf(ref: string): URL {
  const lock = execFileSync('git', ['show', `${ref}:package-lock.json`], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  if (lock.equals(readFileSync(new URL('package-lock.json', root)))) return new URL('node_modules', root);
  const home = new URL(
    `.bench-tmp/compare-modules/${createHash('sha256').update(lock).digest('hex').slice(0, 16)}/`,
    root,
  );
  if (!existsSync(new URL('node_modules', home))) {
    mkdirSync(home, { recursive: true });
    writeFileSync(new URL('package-lock.json', home), lock);
    writeFileSync(new URL('package.json', home), execFileSync('git', ['show', `${ref}:package.json`], { cwd: root }));
    execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: home, stdio: 'inherit' });
  }
  return new URL('node_modules', home);
}

execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
const baseMain = buildRef(flags.base, 'base');
const headMain = flags.head ? buildRef(flags.head, 'head') : new URL('dist/main.js', root);
const nodeVersion = (node: string) => execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
const [baseNode, headNode] = [nodeVersion(flags['base-node']), nodeVersion(flags['head-node'])];
const cores = os.availableParallelism();
const pin = flags.pin || flags.together;
if (pin) {
  if (cores < 2) throw new Error('--pin needs two cores or more');
  // Set before the upstream is forked, which inherits it; autocannon runs on this thread.
  execFileSync('taskset', ['-p', '-c', `0-${cores - 2}`, String(process.pid)], { stdio: 'ignore' });
}
const upstream = await startUpstream(flags.latency);
const traceSink = flags.trace ? await startTraceSink() : undefined;
const tracing: Record<string, string> = traceSink
  ? { OTEL_EXPORTER_OTLP_ENDPOINT: traceSink.url, OTEL_TRACES_SAMPLER: 'always_on', OTEL_SERVICE_NAME: 'bench' }
  : {};
const buildNames = [
  `base (${flags.base}, Node ${baseNode})`,
  `${flags.head ?? 'this tree'}${flags.trace ? ', tracing every request' : ''} (Node ${headNode})`,
];

/** Both gateways, started afresh (and pinned, when asked). */
async function startBuilds() {
  const started = [
    await startGateway(baseMain, upstream.url, {}, flags['base-node']),
    await startGateway(headMain, upstream.url, tracing, flags['head-node']),
  ].map((gateway, index) => ({ name: buildNames[index] as string, ...gateway }));
  if (pin) {
    for (const build of started) {
      execFileSync('taskset', ['-a', '-p', '-c', String(cores - 1), String(build.child.pid)], { stdio: 'ignore' });
    }
  }
  return started;
}
type Build = Awaited<ReturnType<typeof startBuilds>>[number];

/** Cursors are compared as present: how they are written may differ from one build to another. */
const cursorFields = new Set(['cursor', 'startCursor', 'endCursor']);

/** The scenario's request as this build takes it (its olderVariables where it refuses the current ones), and its answer. */
async function buildRequest(url: string, scenario: (typeof chosen)[number], name: string) {
  let request = gatewayRequest(url, scenario);
  let answer = await answerOf(request);
  if (answer.errors && scenario.olderVariables) {
    request = gatewayRequest(url, { ...scenario, variables: scenario.olderVariables });
    answer = await answerOf(request);
  }
  if (answer.errors) throw new Error(`${name} ${scenario.name}: ${JSON.stringify(answer.errors)}`);
  return { request, data: answer.data };
}

async function answerOf({ url, ...init }: HttpRequest): Promise<{ data?: unknown; errors?: unknown }> {
  return (await (await fetch(url, init)).json()) as { data?: unknown; errors?: unknown };
}

/** One scenario's rounds against both builds: each build's rounds, in order. */
async function measureScenario(builds: Build[], scenario: (typeof chosen)[number]): Promise<LoadRound[][]> {
  // Both builds must answer, and answer alike: otherwise this would compare different work.
  const answers: string[] = [];
  const requests: HttpRequest[] = [];
  for (const build of builds) {
    const { request, data } = await buildRequest(build.url, scenario, build.name);
    requests.push(request);
    answers.push(JSON.stringify(data, (key, value) => (cursorFields.has(key) ? '(a cursor)' : value)));
    // Warm up (JIT, connection pools, caches) before anything counts.
    await measureLoad(build.child.pid as number, request, { ...load, seconds: 1 }, build.name);
  }
  if (answers[0] !== answers[1]) throw new Error(`scenario ${scenario.name}: the two builds answer differently`);
  const measured = builds.map(() => [] as LoadRound[]);
  const measure = (index: number) => {
    const build = builds[index] as Build;
    return measureLoad(
      build.child.pid as number,
      requests[index] as HttpRequest,
      load,
      `${build.name} ${scenario.name}`,
    );
  };
  for (let round = 0; round < rounds; round++) {
    // A B, then B A: neither build always goes first (together, the load started first has a head start).
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    if (flags.together) {
      const loads: Promise<LoadRound>[] = [];
      for (const index of order) loads[index] = measure(index);
      for (const [index, result] of (await Promise.all(loads)).entries()) measured[index]?.push(result);
      continue;
    }
    for (const index of order) measured[index]?.push(await measure(index));
  }
  return measured;
}

interface Summary {
  readonly opsPerSecond: number;
  readonly cpuMsPerOp: number;
  readonly mainThreadCpuMsPerOp: number;
  /** To the base, in this run. */
  readonly opsRatio: number;
  readonly cpuRatio: number;
}

/** One run's figures for each build: medians of its rounds, and its ratios to the base. */
function summarise(measured: LoadRound[][]): Summary[] {
  const medians = measured.map((list) => ({
    opsPerSecond: median(list.map((one) => one.opsPerSecond)),
    cpuMsPerOp: median(list.map((one) => one.cpuMsPerOp)),
    mainThreadCpuMsPerOp: median(list.map((one) => one.mainThreadCpuMsPerOp)),
  }));
  // Together, each round's two figures come from the same moment: their ratio is what counts, not the figures.
  const roundRatio = (index: number, read: (round: LoadRound) => number) =>
    median((measured[index] ?? []).map((round, k) => read(round) / read(measured[0]?.[k] as LoadRound)));
  const base = medians[0] as (typeof medians)[number];
  return medians.map((own, index) => ({
    ...own,
    opsRatio: flags.together ? roundRatio(index, (round) => round.opsPerSecond) : own.opsPerSecond / base.opsPerSecond,
    cpuRatio: flags.together ? roundRatio(index, (round) => round.cpuMsPerOp) : own.cpuMsPerOp / base.cpuMsPerOp,
  }));
}

// How fast a process runs the same code depends on choices V8 makes early in its life (what it
// optimises and inlines, how its heap is laid out): with --processes, each run starts both afresh.
const runs: Map<string, Summary[]>[] = [];
const peakRss = buildNames.map(() => 0);
for (let run = 0; run < processes; run++) {
  const builds = await startBuilds();
  const byScenario = new Map<string, Summary[]>();
  for (const scenario of chosen) {
    byScenario.set(scenario.name, summarise(await measureScenario(builds, scenario)));
    process.stderr.write(
      `scenario ${scenario.name} done${processes > 1 ? ` (processes ${run + 1} of ${processes})` : ''}\n`,
    );
  }
  builds.forEach((build, index) => {
    peakRss[index] = Math.max(peakRss[index] as number, peakRssMb(build.child.pid as number));
  });
  runs.push(byScenario);
  for (const build of builds) {
    build.child.kill('SIGKILL');
    await once(build.child, 'exit');
  }
}

const lines = [
  '| scenario | build | ops/s | × base | CPU ms/op (main thread) | × base CPU | peak RSS MB |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
];
/** A build's figures for a scenario in one run. */
const summaryOf = (run: Map<string, Summary[]>, scenario: string, index: number) =>
  (run.get(scenario) as Summary[])[index] as Summary;
for (const scenario of chosen) {
  buildNames.forEach((name, index) => {
    const own = runs.map((run) => summaryOf(run, scenario.name, index));
    const middle = (read: (summary: Summary) => number) => median(own.map(read));
    lines.push(
      `| ${scenario.name} | ${name} | ${middle((one) => one.opsPerSecond).toFixed(0)} | ${middle((one) => one.opsRatio).toFixed(3)} | ${middle((one) => one.cpuMsPerOp).toFixed(2)} (${middle((one) => one.mainThreadCpuMsPerOp).toFixed(2)}) | ${middle((one) => one.cpuRatio).toFixed(3)} | ${(peakRss[index] as number).toFixed(0)} |`,
    );
  });
  if (processes > 1) {
    const perRun = runs.map((run) => summaryOf(run, scenario.name, 1).opsRatio.toFixed(3)).join(', ');
    lines.push(`| ${scenario.name} | this tree, each run | | ${perRun} | | | |`);
  }
}
process.stdout.write(
  `\n${lines.join('\n')}\n\n${processes > 1 ? `${processes} runs, each with both gateways started afresh, of ` : ''}${rounds} rounds of ${load.seconds} s, ${load.connections} connections${flags.together ? ", both gateways under load at once on one core; × base is the median of the rounds' ratios" : pin ? ', gateways pinned to one core' : ''}${traceSink ? `; ${traceSink.exports()} OTLP exports received` : ''}\n`,
);
process.exit(0);
