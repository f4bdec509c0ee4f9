// GraphiQL in a real headless Chromium, offline: Chromium resolves no host name
// and sends whatever is not for loopback to a proxy that is not there, so the
// page must carry its own assets. It is loaded twice in one browser context:
// the first load is measured against the 9 MB the page used to be, the second
// (a reload) must come almost wholly from the browser's cache.
//
// Needs a system Chromium (Debian: `apt-get install chromium`); it never downloads one.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { createSeedData } from '../../src/demo/seed.ts';
import { startTestGateway } from '../helpers/gateway.ts';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const missingChromium = `No Chromium at ${executablePath}: install it with \`apt-get install chromium\` (Debian), or point CHROMIUM_PATH at one.`;

/** Debian's Chromium, or a clear failure (never a skip) saying how to get it. */
async function launchChromium(): Promise<Browser> {
  if (!existsSync(executablePath)) throw new Error(missingChromium);
  try {
    return await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Offline (Playwright's request routing would do it, but it turns the HTTP cache off): no host name
        // resolves, and what is not for loopback (which Chromium never proxies) goes to a closed port.
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
        '--proxy-server=http://127.0.0.1:9',
      ],
    });
  } catch (error) {
    throw new Error(`${missingChromium}\nLaunching it failed: ${(error as Error).message}`, { cause: error });
  }
}

/** The text a user sees in an editor pane; Monaco draws spaces as no-break spaces, made plain again. */
async function shownText(pane: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's rendered text, which is what the user reads; Monaco's textContent runs lines together
  const text = await pane.innerText();
  return text.replace(/\u00a0/g, ' ');
}

/** What one load of the page transferred, by Resource Timing: the document and everything it loaded, workers included. */
interface Transferred {
  readonly total: number;
  readonly entries: { readonly name: string; readonly bytes: number }[];
}

/** Monaco's workers (their names before the hash): a load is over once GraphiQL's editors have started all three. */
const workerNames = ['editor.worker.', 'json.worker.', 'graphql.worker.'];

/**
 * Waits until this load has fetched GraphiQL's workers and its first POST
 * (the schema's introspection), then sums the bytes every entry transferred
 * (headers and encoded body; 0 for what came from the cache).
 */
async function transferred(page: Page): Promise<Transferred> {
  const read = () =>
    page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((entry) => ({
        name: entry.name,
        bytes: (entry as PerformanceResourceTiming).transferSize,
        kind: (entry as PerformanceResourceTiming).initiatorType,
      })),
    );
  await expect
    .poll(
      async () => {
        const entries = await read();
        const workers = workerNames.every((name) => entries.some((entry) => entry.name.includes(`/graphiql/${name}`)));
        return workers && entries.some((entry) => entry.kind === 'fetch');
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  const entries = (await read()).map(({ name, bytes }) => ({ name: new URL(name).pathname, bytes }));
  return { total: entries.reduce((sum, entry) => sum + entry.bytes, 0), entries };
}

/** A CDN's address, fetched from the page to show that the network beyond loopback is cut off. */
const probe = 'https://unpkg.com/';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

it('opens GraphiQL on the example query and runs it against the demo upstream, with no network beyond the gateway', async () => {
  const browser = await launchChromium();
  await using _closeBrowser = { [Symbol.asyncDispose]: () => browser.close() };
  await using gw = await startTestGateway();
  const origin = new URL(gw.url).origin;
  const firstGlobexName = createSeedData().get('globex')?.[0]?.name;
  expect(firstGlobexName).toBeTypeOf('string');

  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const elsewhere: string[] = [];
  const pageErrors: string[] = [];
  const page = await context.newPage();
  page.on('request', (request) => {
    const url = request.url();
    if (/^https?:/.test(url) && !url.startsWith(`${origin}/`) && url !== probe) elsewhere.push(url);
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));

  try {
    // A navigation, so Chromium sends its own `Accept: text/html,…`, as a user's browser does.
    const response = await page.goto(gw.url, { waitUntil: 'domcontentloaded' });
    expect(response?.status()).toBe(200);
    expect(await response?.request().headerValue('accept')).toMatch(/text\/html/);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    const editor = page.getByLabel('Operation Editor');
    await expect.poll(async () => shownText(editor), { timeout: 30_000 }).toContain('query FirstAssistants');
    const first = await transferred(page);
    // The network beyond loopback is really cut off (a CDN would be unreachable too).
    const beyond = await page.evaluate(
      (probeUrl) =>
        fetch(probeUrl, { mode: 'no-cors' }).then(
          () => 'reached',
          () => 'unreachable',
        ),
      probe,
    );
    expect(beyond).toBe('unreachable');

    // The second load, a reload in the same context: the assets are immutable, so they come from the cache.
    // GraphiQL's saved tabs are dropped first (it would open an empty tab beside them); the HTTP cache is kept.
    await page.evaluate(() => localStorage.clear());
    await page.reload({ waitUntil: 'domcontentloaded' });
    await expect.poll(async () => shownText(editor), { timeout: 30_000 }).toContain('query FirstAssistants');
    const second = await transferred(page);
    const listing = (load: Transferred) => load.entries.map((entry) => `  ${entry.name} ${entry.bytes} B`).join('\n');
    console.info(
      `GraphiQL's first load transferred ${kb(first.total)} (its page alone was 9 MB before):\n${listing(first)}\n` +
        `its second, a reload, ${kb(second.total)}:\n${listing(second)}`,
    );
    expect(first.total).toBeLessThan(3_000_000);
    expect(second.total).toBeLessThan(50_000);
    for (const entry of second.entries.filter((one) => one.name.includes('/graphiql/'))) {
      expect(entry.bytes, `${entry.name} on the second load`).toBe(0);
    }

    const executed = page.waitForResponse(
      (r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes('FirstAssistants'),
    );
    await page.getByRole('button', { name: /^Execute query/ }).click();
    const result = await executed;
    const body = (await result.json()) as { data?: unknown; errors?: unknown };
    expect(result.status()).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(JSON.stringify(body.data)).toContain(firstGlobexName);

    const resultPane = page.getByLabel('Result Window');
    await expect.poll(async () => shownText(resultPane), { timeout: 30_000 }).toMatch(/"hasNextPage"[\s\S]*"name": "/);
    const shown = await shownText(resultPane);
    expect(shown).toContain('"assistants"');
    expect(shown).toContain('"restId": "globex"');
    expect(shown).toContain(`"name": "${firstGlobexName}"`);
    expect(shown).not.toContain('"errors"');
  } catch (error) {
    const screenshot = join(tmpdir(), `graphiql-failure-${Date.now()}.png`);
    await page.screenshot({ path: screenshot, fullPage: true }).catch(() => undefined);
    throw new Error(
      `${(error as Error).message}\nscreenshot: ${screenshot}\nrequests beyond the gateway: ${JSON.stringify(elsewhere)}\npage errors: ${JSON.stringify(pageErrors)}`,
      { cause: error },
    );
  } finally {
    await context.close();
  }

  // It worked with everything off the gateway's origin unreachable: no CDN needed.
  if (elsewhere.length > 0) console.info(`GraphiQL worked with these requests unreachable: ${elsewhere.join(', ')}`);
});
