// No function of src/ runs past about 80 lines: past that, a function
// usually does two jobs. Every .ts file is parsed by the TypeScript compiler
// (TypeScript 7's API, which parses in its own process), so strings, regular
// expressions and comments that hold braces cannot mislead the count.

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  isArrowFunction,
  isAsExpression,
  isBinaryExpression,
  isClassDeclaration,
  isClassExpression,
  isConditionalExpression,
  isConstructorDeclaration,
  isFunctionExpression,
  isFunctionLikeDeclaration,
  isIdentifier,
  isNonNullExpression,
  isParenthesizedExpression,
  isPropertyAssignment,
  isPropertyDeclaration,
  isSatisfiesExpression,
  isVariableDeclaration,
  type Node,
  type SourceFile,
  SyntaxKind,
  skipTrivia,
} from 'typescript/unstable/ast';
import { API } from 'typescript/unstable/sync';
import { describe, expect, it } from 'vitest';

const maxLines = 80;

const root = fileURLToPath(new URL('../..', import.meta.url));

interface FunctionSpan {
  readonly file: string;
  /** Qualified by the classes and named functions around it: `PageCache.keep`, `useRequestTelemetry.onRequest`. */
  readonly name: string;
  readonly line: number;
  readonly lines: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? sourceFiles(`${dir}/${entry.name}`)
        : entry.name.endsWith('.ts')
          ? [`${dir}/${entry.name}`]
          : [],
    )
    .sort();
}

/**
 * Each file parsed by the compiler. The project is made up here: only src/,
 * no imports followed and no library read, since nothing is type-checked.
 */
function parse(files: readonly string[]): Map<string, SourceFile | undefined> {
  const configFile = `${root}function-length.tsconfig.json`;
  const config = JSON.stringify({
    compilerOptions: { noLib: true, noResolve: true, types: [], allowImportingTsExtensions: true, noEmit: true },
    include: ['src'],
  });
  const api = new API({
    cwd: root,
    fs: {
      readFile: (name) => (name === configFile ? config : undefined),
      fileExists: (name) => (name === configFile ? true : undefined),
    },
  });
  try {
    const project = api.updateSnapshot({ openProjects: [configFile] }).getProjects()[0];
    return new Map(files.map((file) => [file, project?.program.getSourceFile(`${root}${file}`)]));
  } finally {
    api.close();
  }
}

/** Every named function of a file: declarations, methods, accessors, constructors, and functions given to a name. */
function functionsOf(file: string, source: SourceFile): FunctionSpan[] {
  const found: FunctionSpan[] = [];
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line + 1;
  const visit = (node: Node, scope: readonly string[]): void => {
    let inner = scope;
    if ((isClassDeclaration(node) || isClassExpression(node)) && node.name) inner = [...scope, node.name.text];
    if (isFunctionLikeDeclaration(node)) {
      const name = functionName(node, source);
      if (name !== undefined) {
        inner = [...scope, name];
        const line = lineOf(skipTrivia(source.text, node.pos));
        found.push({ file, name: inner.join('.'), line, lines: lineOf(node.end) - line + 1 });
      }
    }
    node.forEachChild((child) => visit(child, inner));
  };
  source.forEachChild((child) => visit(child, []));
  return found;
}

/** A function's own name, or the name it is given (`const f = () => …`, `f: function () {…}`); undefined for a callback. */
function functionName(node: Node, source: SourceFile): string | undefined {
  if (isConstructorDeclaration(node)) return 'constructor';
  if (!isArrowFunction(node) && !isFunctionExpression(node)) {
    const { name } = node as { name?: Node };
    return name ? textOf(name, source) : 'default';
  }
  if (isFunctionExpression(node) && node.name) return node.name.text;
  let holder = node.parent;
  // `f = flag ? () => … : undefined`, `f = (() => …) as Handler`: still the function given to `f`.
  while (
    isParenthesizedExpression(holder) ||
    isConditionalExpression(holder) ||
    isAsExpression(holder) ||
    isSatisfiesExpression(holder) ||
    isNonNullExpression(holder)
  ) {
    holder = holder.parent;
  }
  if (isVariableDeclaration(holder) && isIdentifier(holder.name)) return holder.name.text;
  if (isPropertyAssignment(holder) || isPropertyDeclaration(holder)) return textOf(holder.name, source);
  if (isBinaryExpression(holder) && holder.operatorToken.kind === SyntaxKind.EqualsToken) {
    return textOf(holder.left, source);
  }
  return undefined;
}

function textOf(node: Node, source: SourceFile): string {
  return source.text.slice(skipTrivia(source.text, node.pos), node.end);
}

const files = sourceFiles('src');
const parsed = parse(files);
const functions = [...parsed].flatMap(([file, source]) => (source ? functionsOf(file, source) : []));

describe('the functions of src/', () => {
  it('are all read: every .ts file parses', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((file) => parsed.get(file) === undefined)).toEqual([]);
    // The finder itself is checked: main() of src/main.ts is found and measured.
    expect(functions.find((found) => found.file === 'src/main.ts' && found.name === 'main')?.lines).toBeGreaterThan(5);
  });

  it(`are each at most ${maxLines} lines long`, () => {
    const tooLong = functions
      .filter((found) => found.lines > maxLines)
      .map((found) => `${found.file}:${found.line} ${found.name} is ${found.lines} lines`);
    expect(tooLong).toEqual([]);
  });
});
