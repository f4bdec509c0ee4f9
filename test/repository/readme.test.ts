// The docs are written for their readers, and each promises something the
// source can break: CONTRIBUTING.md's file table is the map a new contributor
// reads (every file under src/, no file that is gone), docs/operations.md's
// settings table is what operators set (every setting config.ts reads, none it
// does not), the README stays short, and no relative link leads nowhere.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function read(path: string): string {
  return readFileSync(`${root}${path}`, 'utf8');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? sourceFiles(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`]))
    .sort();
}

/** From the heading `## title` to the next `## ` heading (its `###` subsections included). */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  if (start === -1) throw new Error(`no "## ${title}" heading`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** The first column of each table row that names one thing in code: `| \`NAME\` |`. */
function firstColumn(markdown: string, pattern: RegExp): string[] {
  return [...markdown.matchAll(pattern)].map((match) => match[1] as string);
}

describe("CONTRIBUTING.md's file table", () => {
  const files = section(read('CONTRIBUTING.md'), 'Files');
  const rows = firstColumn(files, /^\| `(src\/[^`]+)` \|/gm);

  it('lists every file under src/', () => {
    expect(sourceFiles('src').filter((file) => !rows.includes(file))).toEqual([]);
  });

  it('lists no file that does not exist', () => {
    expect(rows.filter((file) => !sourceFiles('src').includes(file))).toEqual([]);
  });

  it('gives each file one row', () => {
    expect(rows.filter((file, index) => rows.indexOf(file) !== index)).toEqual([]);
  });
});

describe("docs/operations.md's settings table", () => {
  const configSource = read('src/config.ts');
  const readByConfig = [...new Set(firstColumn(configSource, /read\.\w+\(\s*'([A-Z][A-Z0-9_]+)'/g))].sort();
  const settings = section(read('docs/operations.md'), 'Settings');
  const documented = firstColumn(settings, /^\| `([A-Z][A-Z0-9_]+)` \|/gm);

  it('documents every setting the config module reads', () => {
    expect(readByConfig.length).toBeGreaterThan(30);
    expect(readByConfig.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('documents no setting the gateway does not read (OpenTelemetry reads its own)', () => {
    expect(documented.filter((name) => !readByConfig.includes(name) && !name.startsWith('OTEL_'))).toEqual([]);
  });

  it('gives each setting one row', () => {
    expect(documented.filter((name, index) => documented.indexOf(name) !== index)).toEqual([]);
  });
});

describe('the README', () => {
  it('stays under 150 lines: the rest is in the documents it links to', () => {
    expect(read('README.md').split('\n').length).toBeLessThan(150);
  });

  it('keeps the quick start that the skipped-files summary points to', () => {
    expect(read('README.md')).toContain('\n## Quick start\n');
  });
});

describe('relative links in the docs', () => {
  const docs = [
    'README.md',
    'CONTRIBUTING.md',
    'bench/README.md',
    ...readdirSync(`${root}docs`)
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];

  /** Each `[text](target)` that is not a URL, as written, with the file it resolves to from its document. */
  function linksOf(doc: string) {
    const markdown = read(doc).replace(/^```[\s\S]*?^```/gm, '');
    return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((match) => match[1] as string)
      .filter((target) => !/^[a-z][a-z+.-]*:/i.test(target))
      .map((target) => {
        const [path = '', anchor] = target.split('#');
        return { doc, target, file: path === '' ? doc : join(dirname(doc), path), anchor };
      });
  }

  /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
  function anchorsOf(file: string): string[] {
    return [...read(file).matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
      (match[1] as string)
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }

  it('are found', () => {
    expect(docs.flatMap(linksOf).length).toBeGreaterThan(10);
  });

  it('point to files that exist', () => {
    const broken = docs
      .flatMap(linksOf)
      .filter((link) => !existsSync(`${root}${link.file}`))
      .map((link) => `${link.doc}: ${link.target}`);
    expect(broken).toEqual([]);
  });

  it('point to headings that exist, where they name one in a markdown file', () => {
    const broken = docs
      .flatMap(linksOf)
      .filter((link) => link.anchor !== undefined && link.file.endsWith('.md') && existsSync(`${root}${link.file}`))
      .filter((link) => !anchorsOf(link.file).includes(link.anchor as string))
      .map((link) => `${link.doc}: ${link.target}`);
    expect(broken).toEqual([]);
  });
});
