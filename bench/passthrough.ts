// The baseline: the physical limit for a gateway that must read the upstream.
// For `GET /<scenario>` it makes that scenario's upstream requests (the ones
// the gateway's planner makes, all in flight at once as the gateway issues
// them) on a keep-alive undici pool, and streams the upstream's bytes to the
// client as they arrive, never decoding them: no text, no JSON.parse, no
// re-encoding. One body goes out as it is; several go one after another in a
// minimal JSON envelope (`[`, `,`, `]`), with a Content-Length summed from the
// upstream's when every answer has one.

import { createServer, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import { type Dispatcher, Pool } from 'undici';
import { scenarios } from './scenarios.ts';

const upstream = new URL(process.env.UPSTREAM_URL ?? 'http://127.0.0.1:8080');
const port = Number(process.env.PORT ?? 0);
const pool = new Pool(upstream.origin, { connections: 64, keepAliveTimeout: 30_000 });
const pathsByScenario = new Map(scenarios.map((scenario) => [`/${scenario.name}`, scenario.upstreamPaths]));
const accept = { accept: 'application/json' };

/** The upstream's answers, in the order asked, once every one has its status and headers; all 200 or none. */
async function answersOf(paths: readonly string[]): Promise<Dispatcher.ResponseData[]> {
  const settled = await Promise.allSettled(paths.map((path) => pool.request({ path, method: 'GET', headers: accept })));
  const answers = settled.flatMap((one) => (one.status === 'fulfilled' ? [one.value] : []));
  if (answers.length === paths.length && answers.every((answer) => answer.statusCode === 200)) return answers;
  for (const answer of answers) answer.body.destroy();
  throw new Error('the upstream failed');
}

/** The bodies' bytes to the client, untouched: one as it is, several in `[…,…]`. */
async function relay(answers: readonly Dispatcher.ResponseData[], response: ServerResponse): Promise<void> {
  const enveloped = answers.length > 1;
  const lengths = answers.map((answer) => Number(answer.headers['content-length']));
  const headers: OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (lengths.every(Number.isInteger)) {
    // The bodies, and a bracket each side and a comma between them.
    headers['content-length'] = lengths.reduce((sum, length) => sum + length, enveloped ? answers.length + 1 : 0);
  }
  // The client went away, or a body broke off: the bodies not yet sent are not read.
  const destroyAll = () => {
    for (const answer of answers) answer.body.destroy();
  };
  response.once('close', destroyAll);
  response.writeHead(200, headers);
  try {
    for (const [index, answer] of answers.entries()) {
      if (enveloped) response.write(index === 0 ? '[' : ',');
      // pipe() heeds the client's back-pressure and leaves the response open for the next body.
      answer.body.pipe(response, { end: false });
      await finished(answer.body);
    }
  } catch (error) {
    destroyAll();
    throw error;
  }
  response.end(enveloped ? ']' : undefined);
}

const server = createServer((request, response) => {
  const paths = pathsByScenario.get(request.url ?? '');
  if (!paths) {
    response.writeHead(404).end();
    return;
  }
  answersOf(paths)
    .then((answers) => relay(answers, response))
    .catch(() => {
      if (response.headersSent) response.destroy();
      else response.writeHead(502).end();
    });
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ ready: typeof address === 'object' && address ? address.port : port });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// The bench went away without stopping us: nobody is left to measure.
process.on('disconnect', () => process.exit(0));
