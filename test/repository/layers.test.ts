// Imports run one way: down the layers that CONTRIBUTING.md lists, never up,
// and no files import each other in a circle. Read from the source's own
// import statements, so a new file or import is checked as soon as it exists.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const contributing = readFileSync(`${root}CONTRIBUTING.md`, 'utf8');

/** Each folder or file (`src/paging/` or `src/main.ts`) with its layer number, from the table under `## Layers`. */
const layerOfPlace = new Map(
  [...contributing.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].flatMap(([, layer, places]) =>
    [...(places as string).matchAll(/`(src\/[\w./-]+)`/g)].map(
      ([, place]) => [place as string, Number(layer)] as const,
    ),
  ),
);

function sourceFiles(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(`${dir}/${entry.name}`)
      : entry.name.endsWith('.ts')
        ? [`${dir}/${entry.name}`]
        : [],
  );
}

const files = sourceFiles('src');

function layerOf(file: string): number | undefined {
  const place = [...layerOfPlace.keys()].find((place) =>
    place.endsWith('/') ? file.startsWith(place) : file === place,
  );
  return place === undefined ? undefined : layerOfPlace.get(place);
}

/** The files of src/ a file imports (`import type` included: a type runs the same way as a value). */
function importsOf(file: string): string[] {
  const text = readFileSync(`${root}${file}`, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)];
  return specifiers.map(([, specifier]) => normalize(join(dirname(file), specifier as string)));
}

const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('the layers of src/', () => {
  it('are read from CONTRIBUTING.md', () => {
    expect(layerOfPlace.size).toBeGreaterThanOrEqual(10);
  });

  it('place every file of src/ in a layer', () => {
    expect(files.filter((file) => layerOf(file) === undefined)).toEqual([]);
  });

  it('import only from their own layer or one below', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => (layerOf(target) ?? 0) > (layerOf(file) ?? 0))
        .map((target) => `${file} (layer ${layerOf(file)}) imports ${target} (layer ${layerOf(target)})`),
    );
    expect(upward).toEqual([]);
  });

  it('import only files that exist', () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => !graph.has(target)).map((target) => `${file} → ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it('have no circle of imports', () => {
    expect(circles(graph)).toEqual([]);
  });
});

/** Every set of files that reach each other through imports (Tarjan's strongly connected components), as `a → b → a`. */
function circles(edges: ReadonlyMap<string, readonly string[]>): string[] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (file: string) => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    for (const target of edges.get(file) ?? []) {
      if (!edges.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) as number, low.get(target) as number));
      } else if (stack.includes(target)) {
        low.set(file, Math.min(low.get(file) as number, index.get(target) as number));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      component.push(member);
    } while (member !== file);
    const selfImport = (edges.get(file) ?? []).includes(file);
    if (component.length > 1 || selfImport) found.push([...component.sort(), component[0]].join(' → '));
  };
  for (const file of edges.keys()) if (!index.has(file)) visit(file);
  return found;
}
