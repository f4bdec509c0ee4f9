// Debian's programs that the local fleet and the tests run for real
// (redis-server, haproxy, prometheus): where they are, and a free loopback
// port for them.

import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** The program: `override` (an env variable's value) if set, else on the PATH, else Debian's /usr/bin or /usr/sbin; undefined when absent. */
export function findProgram(name: string, override: string | undefined, env = process.env): string | undefined {
  const candidates = [
    ...(override ? [override] : []),
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, name)),
    `/usr/bin/${name}`,
    `/usr/sbin/${name}`,
  ];
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
