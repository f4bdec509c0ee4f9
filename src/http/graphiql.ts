// GraphiQL as a small page and its assets. The page (about 3 KB, revalidated:
// ETag, `no-cache`, 304) links its script, styles, Monaco's workers and
// favicon under content-hashed names, which are served immutable, each
// compressed once per coding (gzip, brotli) and sent from that one copy. The
// bundle they come from (@graphql-yoga/render-graphiql, about 9 MB of text) is
// loaded by the first request that needs it, once per process, and each
// coding of an asset is made when first asked for: a gateway that never
// serves GraphiQL never pays for it.

import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import { addVary, type Coding, encode, negotiateCoding } from './content-coding.ts';

export interface GraphiQLOptions {
  /** Serve GraphiQL; when false, a browser's GET of the endpoint is a GraphQL request like any other. */
  readonly enabled: boolean;
  readonly title: string;
  /** The query GraphiQL opens with. */
  readonly defaultQuery: string;
  /** The GraphQL endpoint, where the page is served (its assets under `graphiql/` beside it); default `/graphql`. */
  readonly endpoint?: string;
}

/**
 * How hard the assets are compressed, once per process. Brotli at 9 is its
 * best before the slow qualities: all the assets in 1.6 s of CPU (the first
 * load waits about 1 s for the script), where 10 and 11 took 9.8 and 20 s for
 * 7% and 9% fewer bytes, and 5 took 0.3 s for 3% more. Measured in
 * bench/RESULTS.md ("Bytes on the wire").
 */
export const assetLevels: Readonly<Record<Coding, number>> = Object.freeze({ br: 9, gzip: 9 });

/** One file served: its bytes as they are, its content hash, and each coding's copy once made. */
interface Asset {
  readonly type: string;
  readonly plain: Buffer;
  readonly hash: string;
  readonly encoded: Partial<Record<Coding, Promise<Buffer>>>;
}

/** The bundle's files by the name each is served under, and the names the page links. */
interface Bundle {
  readonly files: ReadonlyMap<string, Asset>;
  readonly names: Readonly<Record<Part | 'favicon', string>>;
}

/** The bundle's parts that are text, with the name (before its hash) and the type each is served under. */
const textParts = {
  css: ['graphiql', 'css', 'text/css; charset=utf-8'],
  js: ['graphiql', 'js', 'text/javascript; charset=utf-8'],
  editorWorkerService: ['editor.worker', 'js', 'text/javascript; charset=utf-8'],
  jsonWorker: ['json.worker', 'js', 'text/javascript; charset=utf-8'],
  graphqlWorker: ['graphql.worker', 'js', 'text/javascript; charset=utf-8'],
} as const;
type Part = keyof typeof textParts;

const assetDirectory = '/graphiql/';
/** An asset's name: its own, then 16 hex digits of its hash, then its extension. */
const hashedName = /^[\w.-]+\.[0-9a-f]{16}\.\w+$/;
const immutable = 'public, max-age=31536000, immutable';

export function useGraphiQL(options: GraphiQLOptions): Plugin {
  if (!options.enabled) return {};
  const endpoint = options.endpoint ?? '/graphql';
  let page: Promise<Asset> | undefined;
  const pageAsset = () => {
    page ??= loadBundle()
      .then((bundle) => asset(Buffer.from(renderPage(bundle, options)), 'text/html; charset=utf-8'))
      .catch((error: unknown) => {
        page = undefined;
        throw error;
      });
    return page;
  };
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      // GraphQL's POSTs pass at once.
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const path = url.pathname;
      if (path === endpoint || path === `${endpoint}/`) {
        if (!request.headers.get('accept')?.includes('text/html')) return;
        return pageAsset()
          .then((asset) => serve(asset, request, fetchAPI, { cacheControl: 'no-cache', etag: `W/"${asset.hash}"` }))
          .then(endResponse);
      }
      const at = path.lastIndexOf(assetDirectory);
      const name = at === -1 ? '' : path.slice(at + assetDirectory.length);
      if (!hashedName.test(name)) return;
      return loadBundle().then(async ({ files }) => {
        const found = files.get(name);
        if (found) endResponse(await serve(found, request, fetchAPI, { cacheControl: immutable }));
      });
    },
  };
}

/** An asset's answer: 304 when the page's ETag matches, otherwise its bytes in the coding the client takes. */
async function serve(
  asset: Asset,
  request: Request,
  fetchAPI: { Response: typeof Response; Headers: typeof Headers },
  { cacheControl, etag }: { cacheControl: string; etag?: string },
): Promise<Response> {
  const headers = new fetchAPI.Headers();
  headers.set('content-type', asset.type);
  headers.set('cache-control', cacheControl);
  addVary(headers, 'Accept-Encoding');
  if (etag !== undefined) {
    // The page answers a browser's Accept; the same URL answers GraphQL otherwise.
    addVary(headers, 'Accept');
    headers.set('etag', etag);
    if (matchesAny(request.headers.get('if-none-match'), etag))
      return new fetchAPI.Response(null, { status: 304, headers });
  }
  const coding = negotiateCoding(request.headers.get('accept-encoding'));
  let body = asset.plain;
  if (coding !== 'identity') {
    body = await encoded(asset, coding);
    headers.set('content-encoding', coding);
  }
  headers.set('content-length', String(body.byteLength));
  return new fetchAPI.Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers });
}

/** The asset in `coding`, made once: a failure is tried again by the next request. */
function encoded(asset: Asset, coding: Coding): Promise<Buffer> {
  const made = asset.encoded[coding];
  if (made) return made;
  const making = encode(coding, asset.plain, assetLevels[coding]).catch((error: unknown) => {
    delete asset.encoded[coding];
    throw error;
  });
  asset.encoded[coding] = making;
  return making;
}

/** If-None-Match against an ETag, compared weakly (RFC 9110, 13.1.2): `*`, or the same tag, W/ or not. */
function matchesAny(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

function asset(plain: Buffer, type: string): Asset {
  return { type, plain, hash: createHash('sha256').update(plain).digest('hex').slice(0, 16), encoded: {} };
}

let bundle: Promise<Bundle> | undefined;

/** The bundle, imported and hashed once per process (every gateway of a test process shares it); a failure is tried again. */
function loadBundle(): Promise<Bundle> {
  bundle ??= import('@graphql-yoga/render-graphiql/graphiql').then(bundleOf).catch((error: unknown) => {
    bundle = undefined;
    throw error;
  });
  return bundle;
}

function bundleOf(module: Readonly<Record<Part | 'favicon', string>>): Bundle {
  const files = new Map<string, Asset>();
  const names = {} as Record<Part | 'favicon', string>;
  const add = (part: Part | 'favicon', base: string, extension: string, one: Asset) => {
    names[part] = `${base}.${one.hash}.${extension}`;
    files.set(names[part], one);
  };
  for (const [part, [base, extension, type]] of Object.entries(textParts) as [Part, (typeof textParts)[Part]][]) {
    add(part, base, extension, asset(Buffer.from(module[part]), type));
  }
  const favicon = fromDataUri(module.favicon);
  add('favicon', 'favicon', favicon.type === 'image/x-icon' ? 'ico' : 'img', asset(favicon.bytes, favicon.type));
  return { files, names };
}

/** A `data:` URI's bytes and media type. */
function fromDataUri(uri: string): { type: string; bytes: Buffer } {
  const comma = uri.indexOf(',');
  const meta = uri.slice('data:'.length, comma);
  const data = uri.slice(comma + 1);
  const base64 = meta.endsWith(';base64');
  const type = (base64 ? meta.slice(0, -';base64'.length) : meta) || 'text/plain';
  return { type, bytes: base64 ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data)) };
}

/**
 * The page, as @graphql-yoga/render-graphiql puts it together, its parts
 * linked rather than inline: Monaco's workers are same-origin URLs instead of
 * blobs. Links are relative to the endpoint, so a path prefix in front keeps working.
 */
function renderPage({ names }: Bundle, { title, defaultQuery }: GraphiQLOptions): string {
  const at = (name: string) => `graphiql/${name}`;
  const workers = {
    editorWorkerService: at(names.editorWorkerService),
    json: at(names.jsonWorker),
    graphql: at(names.graphqlWorker),
  };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="${at(names.favicon)}" />
    <link rel="stylesheet" href="${at(names.css)}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      const workers = ${scriptJson(workers)};
      self['MonacoEnvironment'] = {
        globalAPI: false,
        getWorkerUrl: (moduleId, label) => new URL(workers[label], document.baseURI).href,
      };
    </script>
    <script src="${at(names.js)}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), ${scriptJson({ title, defaultQuery })});
    </script>
  </body>
</html>
`;
}

/** JSON that cannot end the script it is written into. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
