// GraphiQL in a real headless Chromium, offline: every request that is not to the
// gateway's own loopback origin is aborted, so the page must carry its own assets.
//
// Needs a system Chromium (Debian: `apt-get install chromium`); it never downloads one.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Locator } from 'playwright-core';
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

it('opens GraphiQL on the example query and runs it against the demo upstream, with no network beyond the gateway', async () => {
  const browser = await launchChromium();
  await using _closeBrowser = { [Symbol.asyncDispose]: () => browser.close() };
  await using gw = await startTestGateway();
  const origin = new URL(gw.url).origin;
  const firstGlobexName = createSeedData().get('globex')?.[0]?.name;
  expect(firstGlobexName).toBeTypeOf('string');

  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const aborted: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    aborted.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));

  try {
    // A navigation, so Chromium sends its own `Accept: text/html,…`, as a user's browser does.
    const response = await page.goto(gw.url, { waitUntil: 'domcontentloaded' });
    expect(response?.status()).toBe(200);
    expect(await response?.request().headerValue('accept')).toMatch(/text\/html/);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);

    const editor = page.getByLabel('Operation Editor');
    await expect.poll(async () => shownText(editor), { timeout: 30_000 }).toContain('query FirstAssistants');

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
      `${(error as Error).message}\nscreenshot: ${screenshot}\naborted requests: ${JSON.stringify(aborted)}\npage errors: ${JSON.stringify(pageErrors)}`,
      { cause: error },
    );
  } finally {
    await context.close();
  }

  // It worked with everything off the gateway's origin blocked: no CDN needed.
  if (aborted.length > 0) console.info(`GraphiQL worked with these requests blocked: ${aborted.join(', ')}`);
});
