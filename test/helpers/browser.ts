/**
 * Headless Debian Chromium driven by playwright-core (../shared/env.md, "Browser tests"): never a
 * downloaded browser. Every page gets bounded default timeouts, and the browser is closed when
 * the test file ends, whatever happened.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll } from 'vitest';

export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const browsers = new Set<Browser>();
afterAll(async () => {
  for (const b of browsers) await b.close().catch(() => undefined);
});

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium fonts-dejavu-core`);
  const b = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  browsers.add(b);
  return b;
}

/** A 1280×800 page (the size the console is designed for) that accepts downloads. */
export async function newPage(b: Browser, o: { timeoutMs?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await b.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(o.timeoutMs ?? 15_000);
  page.setDefaultNavigationTimeout(o.timeoutMs ?? 15_000);
  return { context, page };
}
