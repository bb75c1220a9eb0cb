import AxeBuilder from '@axe-core/playwright';
import { join } from 'node:path';
import { chromiumPath, screenshotsDir } from '@loyalty/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Flags that keep Chromium from reaching out to Google at start (STACK.md). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 900 } };

export interface BrowserUnderTest {
  /** A fresh page in its own context (own storage), for one person. */
  open(options?: { phone?: boolean; locale?: string }): Promise<Page>;
  /** Every request a page made to anywhere but the gateway: must stay empty (no CDN, no fonts). */
  foreignRequests(): string[];
}

/** Real Chromium (Debian's), one per test file, closed after it. */
export function useBrowser(origin: () => string): BrowserUnderTest {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const foreign: string[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
  });
  return {
    async open({ phone = false, locale = 'en-US' } = {}) {
      if (!browser) throw new Error('the browser starts in beforeAll');
      const context = await browser.newContext({ ...(phone ? PHONE : DESKTOP), locale });
      contexts.push(context);
      context.on('request', (request) => {
        const url = new URL(request.url());
        const local = url.origin === origin() || url.protocol === 'data:' || url.protocol === 'blob:';
        const sameHostWs = url.protocol === 'ws:' && url.host === new URL(origin()).host;
        if (!local && !sameHostWs) foreign.push(request.url());
      });
      return context.newPage();
    },
    foreignRequests: () => [...foreign],
  };
}

/** Serious or critical accessibility violations on the page as it is now (axe-core). */
export async function seriousViolations(page: Page, disabled: string[] = []): Promise<string[]> {
  const results = await new AxeBuilder({ page }).disableRules(disabled).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id}: ${v.help} (${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 120)}`).join(', ')})`,
    );
}

/** Saves a screenshot for the README when WEB_SCREENSHOTS_DIR is set (`pnpm screenshots`). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = screenshotsDir();
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
