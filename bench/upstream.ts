// The benchmark's upstream: the embedded demo upstream with latency, in its
// own process, counting requests and reporting the count over IPC.

import { startDemoUpstream } from '../src/demo/upstream.ts';

const upstream = await startDemoUpstream({
  latencyMs: Number(process.env.LATENCY_MS ?? 5),
  recordRequests: false,
});
process.send?.({ ready: upstream.url });
process.on('message', (message) => {
  if (message === 'count') process.send?.({ count: upstream.requestCount });
});
process.on('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
// The bench went away without stopping us: nobody is left to measure.
process.on('disconnect', () => process.exit(0));
