// `npm run bench:compression`: what compression costs and saves, in three parts.
//
// 1. Encoders, in this process, on one 100-assistant page (about 300 KB):
//    node:zlib at each level, yoga's `useContentEncoding` (@whatwg-node/server)
//    and the gateway's own plugin (src/http/compression.ts), CPU per response
//    (process.cpuUsage: the thread pool's work included) and bytes.
// 2. GraphiQL's assets, cold: the gateway's CPU to load the bundle and make
//    each coding of every asset once, and the bytes of a first load per coding.
// 3. Load (autocannon) on a started gateway: the page of 100 assistants and
//    GraphiQL's script, as plain, gzip and brotli in alternating rounds; the
//    gateway process's CPU per request (from /proc), with ratios to plain in
//    the same run.
//
//   npm run build && npm run bench:compression
//   npm run bench:compression -- --source --rounds 5 --duration 5
//   npm run bench:compression -- --parts 1            the encoders alone

import { request as httpRequest } from 'node:http';
import { parseArgs } from 'node:util';
import { brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import { useContentEncoding } from '@whatwg-node/server';
import { createSchema, createYoga } from 'graphql-yoga';
import { assistantFields } from '../src/graphql/assistant-fields.generated.ts';
import { useCompression } from '../src/http/compression.ts';
import { encode } from '../src/http/content-coding.ts';
import {
  cpuMs,
  type HttpRequest,
  type LoadRound,
  measureLoad,
  median,
  startGateway,
  startGatewayProcess,
  startUpstream,
} from './processes.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    latency: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    source: { type: 'boolean', default: false },
    /** Which parts to run: 1 encoders, 2 GraphiQL cold, 3 under load. */
    parts: { type: 'string', default: '1,2,3' },
  },
});
const parts = new Set(flags.parts.split(','));
const rounds = Number(flags.rounds);
const load = { connections: Number(flags.connections), seconds: Number(flags.duration) };
const root = new URL('..', import.meta.url);

const hundredAssistants = JSON.stringify({
  query: `query Hundred {
    organization(restId: "initech") {
      id restId
      assistants(first: 100) { edges { cursor node { ...AssistantFields } } pageInfo { hasNextPage endCursor } }
    }
  }
  ${assistantFields}`,
});

type Accepted = 'identity' | 'gzip' | 'br';
const codings: readonly Accepted[] = ['identity', 'gzip', 'br'];

interface Raw {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly raw: Buffer;
  readonly decoded: Buffer;
}

/** One request through node:http (which decodes nothing): the bytes as sent, and decoded. */
function send(url: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { method: body === undefined ? 'GET' : 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => {
        const raw = Buffer.concat(chunks);
        const coding = response.headers['content-encoding'];
        const decoded = coding === 'br' ? brotliDecompressSync(raw) : coding === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, raw, decoded });
      });
      response.once('error', reject);
    });
    call.once('error', reject);
    call.end(body);
  });
}

/** CPU ms (user + system, every thread of this process) and wall ms per call of `work`, over `times` calls after one unmeasured. */
async function timed(
  work: () => Promise<number>,
  times: number,
): Promise<{ cpuMs: number; wallMs: number; bytes: number }> {
  let bytes = await work();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < times; i++) bytes = await work();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000 / times, wallMs: (performance.now() - started) / times, bytes };
}

/** What yoga hands a plugin's onResponse. */
type OnResponse = (payload: {
  request: Request;
  response: Response;
  serverContext: object;
  fetchAPI: unknown;
  setResponse(next: Response): void;
}) => unknown;

/** A plugin's onResponse over `body`, as yoga would call it, with the response's body read to its end. */
function throughPlugin(plugin: { onResponse?: unknown }, body: Buffer, accepted: string): () => Promise<number> {
  const { fetchAPI } = createYoga({ schema: createSchema({ typeDefs: 'type Query { a: Int }' }) });
  const onResponse = plugin.onResponse as OnResponse;
  return async () => {
    const request = new fetchAPI.Request('http://localhost/graphql', { headers: { 'accept-encoding': accepted } });
    let response = new fetchAPI.Response(new Uint8Array(body), {
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    });
    await onResponse({
      request,
      response,
      serverContext: {},
      fetchAPI,
      setResponse(next) {
        response = next;
      },
    });
    return (await response.arrayBuffer()).byteLength;
  };
}

/** The encoders compared: each a name, one response's work, and whether it is slow (fewer calls). */
function encoderList(body: Buffer): { name: string; work: () => Promise<number>; slow?: boolean }[] {
  return [
    ...[1, 4, 6, 9].map((level) => ({ name: `node:zlib gzip ${level}`, work: direct('gzip', body, level) })),
    ...[1, 4, 5, 6].map((quality) => ({ name: `node:zlib brotli ${quality}`, work: direct('br', body, quality) })),
    { name: 'node:zlib brotli 9', work: direct('br', body, 9), slow: true },
    { name: 'node:zlib brotli 11 (its default)', work: direct('br', body, constants.BROTLI_MAX_QUALITY), slow: true },
    { name: 'useContentEncoding, `gzip` (level 6, streamed)', work: throughPlugin(useContentEncoding(), body, 'gzip') },
    {
      name: 'useContentEncoding, `br` (quality 11, streamed)',
      work: throughPlugin(useContentEncoding(), body, 'br'),
      slow: true,
    },
    {
      name: "useContentEncoding, Chrome's `gzip, deflate, br, zstd`",
      work: throughPlugin(useContentEncoding(), body, 'gzip, deflate, br, zstd'),
    },
    { name: "the gateway's useCompression, `gzip`", work: throughPlugin(useCompression(), body, 'gzip') },
    { name: "the gateway's useCompression, `br`", work: throughPlugin(useCompression(), body, 'br') },
  ];
}

/** Each encoder in turn, round after round (so that the machine's phases hit all alike); the median of the rounds. */
async function encoders(body: Buffer): Promise<void> {
  const list = encoderList(body);
  const measured = new Map<string, { cpuMs: number; wallMs: number; bytes: number }[]>();
  for (let round = 0; round < 9; round++) {
    for (const { name, work, slow } of list) {
      if (slow && round > 0) continue;
      measured.set(name, [...(measured.get(name) ?? []), await timed(work, slow ? 3 : 20)]);
    }
  }
  console.log(`\n## 1. Encoders on one page of 100 assistants (${body.length} bytes plain), in process\n`);
  console.log('| encoder | bytes | × plain | CPU ms / response | wall ms |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [name, rows] of measured) {
    const bytes = rows[0]?.bytes ?? 0;
    const cpu = median(rows.map((row) => row.cpuMs));
    const wall = median(rows.map((row) => row.wallMs));
    console.log(
      `| ${name} | ${bytes} | ${(bytes / body.length).toFixed(3)} | ${cpu.toFixed(2)} | ${wall.toFixed(2)} |`,
    );
  }
}

function direct(coding: 'gzip' | 'br', body: Buffer, level: number): () => Promise<number> {
  return async () => (await encode(coding, body, level)).byteLength;
}

/** The links of GraphiQL's page, fetched once (loading the bundle), with the gateway's CPU for it. */
async function graphiqlCold(url: string, pid: number): Promise<string[]> {
  console.log('\n## 2. GraphiQL cold: the first request of each coding of every asset\n');
  let cpu = cpuMs(pid);
  let started = performance.now();
  const page = await send(url, { accept: 'text/html', 'accept-encoding': 'identity' });
  console.log(
    `- the page (the bundle loaded and hashed): ${(cpuMs(pid) - cpu).toFixed(0)} ms CPU, ${(performance.now() - started).toFixed(0)} ms`,
  );
  const links = [...page.decoded.toString('utf8').matchAll(/"(graphiql\/[^"]+)"/g)].map((match) => match[1] as string);
  const origin = new URL(url).origin;
  console.log(
    "\n| coding | a first load's assets, bytes | × plain | gateway CPU ms, first time | then, CPU ms per load |",
  );
  console.log('| --- | ---: | ---: | ---: | ---: |');
  let plainBytes = 0;
  for (const coding of codings) {
    const fetchAll = () => Promise.all(links.map((link) => send(`${origin}/${link}`, { 'accept-encoding': coding })));
    cpu = cpuMs(pid);
    started = performance.now();
    const first = await fetchAll();
    const coldCpu = cpuMs(pid) - cpu;
    const coldWall = performance.now() - started;
    cpu = cpuMs(pid);
    for (let i = 0; i < 10; i++) await fetchAll();
    const warmCpu = (cpuMs(pid) - cpu) / 10;
    const bytes = first.reduce((sum, one) => sum + one.raw.length, 0);
    if (coding === 'identity') plainBytes = bytes;
    console.log(
      `| ${coding} | ${bytes} | ${(bytes / plainBytes).toFixed(3)} | ${coldCpu.toFixed(0)} (${coldWall.toFixed(0)} ms wall) | ${warmCpu.toFixed(1)} |`,
    );
  }
  return links;
}

interface Target {
  readonly name: string;
  readonly request: HttpRequest;
  readonly bytes: Record<Accepted, number>;
}

async function loadRounds(pid: number, targets: readonly Target[]): Promise<void> {
  const results = new Map<string, LoadRound[]>();
  for (let round = 0; round <= rounds; round++) {
    for (const target of targets) {
      for (const coding of codings) {
        const request = { ...target.request, headers: { ...target.request.headers, 'accept-encoding': coding } };
        const measured = await measureLoad(pid, request, load, `${target.name} ${coding}`);
        // Round 0 warms up (V8, the bundle's codings); it does not count.
        if (round > 0)
          results.set(`${target.name} ${coding}`, [...(results.get(`${target.name} ${coding}`) ?? []), measured]);
      }
    }
  }
  console.log(`\n## 3. Under load: ${load.connections} connections, ${rounds} rounds of ${load.seconds} s, medians\n`);
  console.log(
    '| what | coding | bytes / response | × plain | ops/s | × plain | CPU ms/op (main thread) | × plain | p50 / p99 ms |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const target of targets) {
    const of = (coding: Accepted) => results.get(`${target.name} ${coding}`) ?? [];
    const plain = of('identity');
    for (const coding of codings) {
      const rows = of(coding);
      const m = (read: (one: LoadRound) => number) => median(rows.map(read));
      const p = (read: (one: LoadRound) => number) => median(plain.map(read));
      console.log(
        `| ${target.name} | ${coding} | ${target.bytes[coding]} | ${(target.bytes[coding] / target.bytes.identity).toFixed(3)} | ${m((one) => one.opsPerSecond).toFixed(0)} | ${(m((one) => one.opsPerSecond) / p((one) => one.opsPerSecond)).toFixed(2)} | ${m((one) => one.cpuMsPerOp).toFixed(2)} (${m((one) => one.mainThreadCpuMsPerOp).toFixed(2)}) | ${(m((one) => one.cpuMsPerOp) / p((one) => one.cpuMsPerOp)).toFixed(2)} | ${m((one) => one.p50)} / ${m((one) => one.p99)} |`,
      );
    }
  }
}

/** Each coding's bytes for one request, checked to decode to the plain bytes. */
async function bytesPerCoding(request: HttpRequest): Promise<Record<Accepted, number>> {
  const answers = await Promise.all(
    codings.map((coding) => send(request.url, { ...request.headers, 'accept-encoding': coding }, request.body)),
  );
  const [plain] = answers as [Raw, Raw, Raw];
  answers.forEach((answer, index) => {
    const coding = codings[index] as Accepted;
    if (answer.status !== 200 || !answer.decoded.equals(plain.raw))
      throw new Error(`${request.url} in ${coding}: not the plain bytes`);
    if (coding !== 'identity' && answer.headers['content-encoding'] !== coding)
      throw new Error(`${request.url}: not sent in ${coding}`);
  });
  return { identity: answers[0]?.raw.length ?? 0, gzip: answers[1]?.raw.length ?? 0, br: answers[2]?.raw.length ?? 0 };
}

const upstream = await startUpstream(flags.latency);
const gateway = flags.source
  ? await startGatewayProcess(['--import', 'tsx', new URL('src/main.ts', root).pathname], {
      UPSTREAM_URL: upstream.url,
    })
  : await startGateway(new URL('dist/main.js', root), upstream.url);
const pid = gateway.child.pid as number;
console.log(`# bench:compression (${flags.source ? 'the sources, through tsx' : 'the production build'})`);

const page: HttpRequest = {
  url: gateway.url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: hundredAssistants,
};
if (parts.has('1')) await encoders((await send(page.url, page.headers ?? {}, page.body)).raw);
const links = parts.has('2') || parts.has('3') ? await graphiqlCold(gateway.url, pid) : [];
if (parts.has('3')) {
  const script = links.find((link) => /^graphiql\/graphiql\.[0-9a-f]+\.js$/.test(link)) as string;
  const asset: HttpRequest = { url: `${new URL(gateway.url).origin}/${script}`, method: 'GET' };
  await loadRounds(pid, [
    { name: 'a page of 100 assistants', request: page, bytes: await bytesPerCoding(page) },
    {
      name: `GraphiQL's script (${script.replace('graphiql/', '')})`,
      request: asset,
      bytes: await bytesPerCoding(asset),
    },
  ]);
}
gateway.child.kill('SIGTERM');
upstream.child.kill('SIGTERM');
process.exit(0);
