// Log lines are written in batches: whole lines, never more than PIPE_BUF
// bytes a write (so processes sharing a pipe never cut into each other's
// lines), never waiting for long, and all of them out when the process ends.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLineBuffer, maxBatchBytes } from '../../src/observability/log-buffer.ts';

const line = (n: number, size = 120) => `${JSON.stringify({ n, pad: 'x'.repeat(size) })}\n`;

describe('the line buffer', () => {
  it('writes whole lines, in order, in writes of at most PIPE_BUF bytes', () => {
    const writes: string[] = [];
    const buffer = createLineBuffer((chunk) => writes.push(chunk), 60_000);
    // Sizes vary so that batches end at different places; one line holds a character of several bytes.
    const lines = Array.from({ length: 300 }, (_, n) =>
      line(n, 40 + ((n * 37) % 300)).replace('x', n === 7 ? 'é' : 'x'),
    );
    for (const one of lines) buffer.write(one);
    buffer.flush();

    expect(writes.join('')).toBe(lines.join(''));
    expect(writes.length).toBeGreaterThan(1);
    expect(writes.length).toBeLessThan(lines.length / 5);
    for (const chunk of writes) {
      expect(Buffer.byteLength(chunk)).toBeLessThanOrEqual(maxBatchBytes);
      expect(chunk.endsWith('\n')).toBe(true);
    }
  });

  it('writes a line too long for a batch alone, after the lines before it', () => {
    const writes: string[] = [];
    const buffer = createLineBuffer((chunk) => writes.push(chunk), 60_000);
    const long = line(2, maxBatchBytes + 10);
    buffer.write(line(1));
    buffer.write(long);
    buffer.write(line(3));
    buffer.flush();
    expect(writes).toEqual([line(1), long, line(3)]);
  });

  it('writes waiting lines by itself, without another line to push them out', async () => {
    const written = new Promise<string>((resolve) => {
      const buffer = createLineBuffer(resolve, 5);
      buffer.write(line(1));
    });
    expect(await written).toBe(line(1));
  });

  it('calls back after writing what waits, as pino’s logger.flush expects', () => {
    const writes: string[] = [];
    const buffer = createLineBuffer((chunk) => writes.push(chunk), 60_000);
    buffer.write(line(1));
    let called = 0;
    buffer.flush(() => called++);
    expect(called).toBe(1);
    expect(writes).toEqual([line(1)]);
  });
});

describe("the gateway's stdout", () => {
  const logger = fileURLToPath(new URL('../../src/observability/logger.ts', import.meta.url));
  const run = (ending: string) =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { createLogger } from ${JSON.stringify(logger)};
         const log = createLogger({ level: 'info', format: 'json' });
         for (let n = 0; n < 50; n++) log.info({ n }, 'line');
         ${ending}`,
      ],
      { encoding: 'utf8' },
    );
  const numbers = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .map((text) => (JSON.parse(text) as { n: number }).n);
  const all = Array.from({ length: 50 }, (_, n) => n);

  it('has every line when the process exits at once', () => {
    const result = run('process.exit(3);');
    expect(result.status).toBe(3);
    expect(numbers(result.stdout)).toEqual(all);
  });

  it('has every line, none cut, from two processes writing 4 MB each into one pipe read slowly, then exiting at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'log-buffer-'));
    const writer = join(dir, 'writer.mjs');
    writeFileSync(
      writer,
      `import { createLogger } from ${JSON.stringify(pathToFileURL(logger).href)};
      const log = createLogger({ level: 'info', format: 'json' });
      for (let n = 0; n < 1300; n++) log.info({ n, writer: process.argv[2], pad: 'x'.repeat(3000) }, 'line');
      process.exit(0);`,
    );
    const node = (name: string) => `"${process.execPath}" --import tsx "${writer}" ${name}`;
    const child = spawn('sh', ['-c', `${node('a')} & ${node('b')} & wait`], { stdio: ['ignore', 'pipe', 'inherit'] });
    // Nobody reads for a while: both writers fill the pipe and must wait rather than queue or drop.
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
    });
    child.stdout.resume();
    await once(child, 'close');
    const lines = text.trim().split('\n');
    const parsed = lines.map((one) => JSON.parse(one) as { n: number; writer: string; pad: string });
    for (const writer of ['a', 'b']) {
      expect(parsed.filter((one) => one.writer === writer).map((one) => one.n)).toEqual(
        Array.from({ length: 1300 }, (_, n) => n),
      );
    }
    expect(parsed.every((one) => one.pad.length === 3000)).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('has every line when the process dies of an uncaught error', () => {
    const result = run("setImmediate(() => { throw new Error('boom'); });");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('boom');
    expect(numbers(result.stdout)).toEqual(all);
  });
});
