// A reporter beside vitest's default one (vitest.config.ts): the test files
// that skipped themselves because a program they run is missing here
// (redis-server, prometheus, haproxy), listed again at the very end of the
// run with what to install. Otherwise each is one line among the run's
// output, and a green run hides whole suites that never ran.
//
// Such a file says so itself, once, as it loads: a console line
// `test/<name>.test.ts skipped: <why, and what to install>`. In CI (CI set)
// it fails instead of skipping, and says nothing.

import type { UserConsoleLog } from 'vitest';
import type { Reporter, Vitest } from 'vitest/node';

/** The line a test file writes when it skips itself. */
const skipLine = /^(test\/[\w./-]+\.test\.ts) skipped: (.+)$/m;

export default class SkippedSummary implements Reporter {
  /** Why each file skipped itself, by its path. */
  private readonly skipped = new Map<string, string>();
  private print: (text: string) => void = (text) => process.stdout.write(`${text}\n`);

  onInit(vitest: Pick<Vitest, 'logger'>): void {
    this.print = (text) => vitest.logger.log(text);
  }

  onUserConsoleLog(log: Pick<UserConsoleLog, 'content'>): void {
    const match = skipLine.exec(log.content);
    if (match) this.skipped.set(match[1] as string, (match[2] as string).trim());
  }

  onTestRunEnd(): void {
    if (this.skipped.size > 0) this.print(skippedSummary(this.skipped));
    this.skipped.clear();
  }
}

/** The files and why, one a line, in path order. */
export function skippedSummary(skipped: ReadonlyMap<string, string>): string {
  const files = [...skipped.entries()].sort(([a], [b]) => a.localeCompare(b));
  return [
    '',
    `Skipped because a program is missing (${files.length} ${files.length === 1 ? 'file' : 'files'}):`,
    ...files.map(([file, why]) => `  ${file}: ${why}`),
    "The whole suite needs Debian's redis-server, haproxy and prometheus packages (README: Quick start).",
  ].join('\n');
}
