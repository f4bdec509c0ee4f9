// The benchmark's upstream: the embedded demo upstream with latency, in its
// own process, counting requests and reporting the count over IPC. The soak
// also sets FAULT_RATE (a share of requests failed at random) and ACCESS
// (JSON: Authorization header → the orgs it may see).

import { startDemoUpstream } from '../src/demo/upstream.ts';

const upstream = await startDemoUpstream({
  latencyMs: Number(process.env.LATENCY_MS ?? 5),
  recordRequests: false,
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
process.send?.({ ready: upstream.url });
process.on('message', (message) => {
  if (message === 'count') process.send?.({ count: upstream.requestCount });
});
process.on('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
// The bench went away without stopping us: nobody is left to measure.
process.on('disconnect', () => process.exit(0));
