// A file that skips itself for a missing program (redis-server, prometheus,
// haproxy) is listed again at the end of `npm test`, with what to install
// (test/helpers/skipped-summary.ts): from the line it writes as it loads.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import SkippedSummary from '../helpers/skipped-summary.ts';

const testDir = fileURLToPath(new URL('..', import.meta.url));
/** Every test file, as its path under test/ (`cache/redis.test.ts`). */
const testFiles = readdirSync(testDir, { recursive: true, encoding: 'utf8' }).filter((file) =>
  file.endsWith('.test.ts'),
);

/** The reporter, fed what vitest would feed it; resolves with what it printed at the end of the run. */
function runReport(logs: readonly string[]): string[] {
  const printed: string[] = [];
  const reporter = new SkippedSummary();
  reporter.onInit({ logger: { log: (text: string) => printed.push(text) } as never });
  for (const content of logs) reporter.onUserConsoleLog({ content });
  reporter.onTestRunEnd();
  return printed;
}

describe('the skipped-files summary', () => {
  it('lists each file that skipped itself, with why and what to install, after the run', () => {
    const printed = runReport([
      "test/cache/redis.test.ts skipped: no redis-server (install Debian's redis-server package)\n",
      'a log line of some test\n',
      "test/deploy/fleet.test.ts skipped: no haproxy (install Debian's haproxy packages)\n",
    ]);
    expect(printed).toHaveLength(1);
    expect(printed[0]?.split('\n')).toEqual([
      '',
      'Skipped because a program is missing (2 files):',
      "  test/cache/redis.test.ts: no redis-server (install Debian's redis-server package)",
      "  test/deploy/fleet.test.ts: no haproxy (install Debian's haproxy packages)",
      "The whole suite needs Debian's redis-server, haproxy and prometheus packages (README: Quick start).",
    ]);
  });

  it('prints nothing when every file ran', () => {
    expect(runReport(['a log line of some test\n'])).toEqual([]);
  });

  it('hears every file that can skip itself: each writes the line, naming itself and what to install', () => {
    const skipping = testFiles.filter((file) =>
      /\b(?:describe|it|test)\.skipIf\(/.test(readFileSync(`${testDir}${file}`, 'utf8')),
    );
    expect(skipping.length).toBeGreaterThanOrEqual(3);
    const silent = skipping.filter((file) => {
      const line = new RegExp(`console\\.warn\\(\\s*[\`"']test/${file.replaceAll('.', '\\.')} skipped: `);
      return !line.test(readFileSync(`${testDir}${file}`, 'utf8'));
    });
    expect(silent).toEqual([]);
    const noHint = skipping.filter((file) => !readFileSync(`${testDir}${file}`, 'utf8').includes("install Debian's"));
    expect(noHint).toEqual([]);
  });
});
