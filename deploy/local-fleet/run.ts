// `npm run fleet`: the local fleet (fleet.ts) until Ctrl-C. Loopback only.

import { startFleet } from './fleet.ts';

const fleet = await startFleet({
  // The gateways' warnings and errors, named by replica; their request lines would drown them.
  onLog: (replica, line) => {
    if (/"level":"(warn|error|fatal)"/.test(line)) process.stdout.write(`${replica} ${line}\n`);
  },
});

const where = [
  `GraphQL (HAProxy, health checks on /ready)  ${fleet.url}`,
  `HAProxy stats                               ${fleet.statsUrl}`,
  ...fleet.replicas.map(
    (replica) =>
      `${replica.name.padEnd(10)} pid ${String(replica.pid()).padEnd(8)}       ${replica.url}  metrics ${replica.metricsUrl}`,
  ),
  `Redis (pages shared by the replicas)        ${fleet.redis.url}`,
  `demo upstream                               ${fleet.upstream.url}`,
];
process.stdout.write(`The fleet is up:\n${where.map((line) => `  ${line}`).join('\n')}\nCtrl-C stops everything.\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping the fleet\n');
  await fleet.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
