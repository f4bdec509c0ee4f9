// The benchmark's upstream: the embedded demo upstream with latency, in its
// own process, counting requests and reporting the count over IPC. The soak
// also sets FAULT_RATE (a share of requests failed at random) and ACCESS
// (JSON: Authorization header → the orgs it may see). With RECORD_PATHS=1 it
// also keeps the paths asked since the last report, and reports them on
// 'paths': `npm run bench` checks that every target asks what the gateway asks.

import { startDemoUpstream } from '../src/demo/upstream.ts';

const recordPaths = process.env.RECORD_PATHS === '1';
const upstream = await startDemoUpstream({
  latencyMs: Number(process.env.LATENCY_MS ?? 5),
  recordRequests: recordPaths,
  faultRate: Number(process.env.FAULT_RATE ?? 0),
  access: process.env.ACCESS
    ? new Map(
        Object.entries(JSON.parse(process.env.ACCESS) as Record<string, string[]>).map(([authorization, orgs]) => [
          authorization,
          new Set(orgs),
        ]),
      )
    : undefined,
});
/** Requests counted before the last reset: recording, each report forgets what it reported (memory stays bounded). */
let countedBefore = 0;
/** The paths asked since the last report, and forgets them. */
function takePaths(): string[] {
  const paths = upstream.requests.map((request) => request.rawPath);
  countedBefore += upstream.requestCount;
  upstream.reset();
  return paths;
}
process.send?.({ ready: upstream.url });
process.on('message', (message) => {
  if (message === 'count') {
    if (recordPaths) takePaths();
    process.send?.({ count: countedBefore + upstream.requestCount });
  }
  if (message === 'paths') process.send?.({ paths: recordPaths ? takePaths() : [] });
});
process.on('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
// The bench went away without stopping us: nobody is left to measure.
process.on('disconnect', () => process.exit(0));
