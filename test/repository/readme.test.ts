// The README's architecture table is the map a new contributor reads: it
// names every file under src/, and names no file that is gone.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const architecture = readme.slice(readme.indexOf('## Architecture'), readme.indexOf('## Development'));

function sourceFiles(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`]))
    .sort();
}

describe("README's architecture section", () => {
  it('lists every file under src/', () => {
    expect(sourceFiles('src').filter((file) => !architecture.includes(`\`${file}\``))).toEqual([]);
  });

  it('lists no file that does not exist', () => {
    const named = [...architecture.matchAll(/`(src\/[\w./-]+\.ts)`/g)].map((match) => match[1]);
    expect(named.filter((file) => !sourceFiles('src').includes(file as string))).toEqual([]);
  });
});

describe("README's settings table", () => {
  const configSource = readFileSync(`${root}src/config.ts`, 'utf8');
  const readByConfig = [...configSource.matchAll(/read\.\w+\(\s*'([A-Z][A-Z0-9_]+)'/g)]
    .map((match) => match[1] as string)
    .sort();
  const settings = readme.slice(readme.indexOf('## Settings'), readme.indexOf('## Example queries'));
  const documented = [...settings.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((match) => match[1] as string).sort();

  it('documents every setting the config module reads', () => {
    expect(readByConfig.length).toBeGreaterThan(30);
    expect(readByConfig.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('documents no setting the gateway does not read (OpenTelemetry reads its own)', () => {
    expect(documented.filter((name) => !readByConfig.includes(name) && !name.startsWith('OTEL_'))).toEqual([]);
  });
});
