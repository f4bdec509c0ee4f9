// What a test's Redis has been asked to do, from its own statistics.

import { Redis } from 'ioredis';

/** How many times Redis has run `command` since it started. */
export async function commandCalls(url: string, command: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    const stats = await client.info('commandstats');
    return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
}
