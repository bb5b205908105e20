/**
 * The rendered book in a real browser: `buildSite` writes the home page and three concept pages,
 * headless Chromium (Debian's package, driven by playwright-core) opens them from disk, and we
 * assert no console errors, typeset formulas, inline plots, and that the search box finds 旋转数组
 * and "rope" on the right pages. Where Chromium is missing the set-up installs it (as root, with
 * apt-get); only where that cannot be done is the browser part skipped, with the reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../catalog/index.js';
import { questions } from '../catalog/questions.js';
import { buildSite, type SiteResult } from '../site/build.js';
import { findChromium, launchChromium } from '../site/browser-session.js';

const PAGES = ['rope', 'rotated-array-search', 'scaled-dot-product-attention'];
const chromium = findChromium();
if (!chromium.path) console.warn(`[site test] browser checks skipped: ${chromium.reason}`);

let site: SiteResult;
let browser: Browser | undefined;

beforeAll(async () => {
  site = await buildSite({ out: mkdtempSync(join(tmpdir(), 'bagu-site-')), only: PAGES });
  if (chromium.path) browser = await launchChromium(chromium.path);
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

/** Opens a page of the site and collects what went wrong on it. */
async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await (browser as Browser).newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('requestfailed', (r) => errors.push(`failed to load ${r.url()}`));
  await page.goto(pathToFileURL(join(site.out, path)).href);
  return { page, errors };
}

describe('npm run site', () => {
  it('builds the home page and one page per concept asked for', () => {
    expect([...site.pages].sort()).toEqual(
      ['index.html', ...PAGES.map((id) => `concepts/${id}.html`)].sort(),
    );
  });
});

describe.skipIf(!chromium.path)('the site in headless Chromium', () => {
  it('the home page lists every question of the bank, in English and Chinese, with no console error', async () => {
    const { page, errors } = await open('index.html');
    const rows = page.locator('section.questions tbody tr');
    expect(await rows.count()).toBe(questions().length);
    const q02 = page.locator('tr#Q02');
    expect(await q02.textContent()).toContain('旋转数组');
    expect(await q02.locator('a').getAttribute('href')).toBe('concepts/rotated-array-search.html');
    expect(await page.locator('section.family').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each(PAGES)(
    '%s: formulas typeset by KaTeX, the textbook code shown, plots inline, no console error',
    async (id) => {
      const { page, errors } = await open(`concepts/${id}.html`);
      const entry = catalog.find((c) => c.id === id);
      expect(await page.locator('h1').textContent()).toContain(entry?.title);
      expect(await page.locator('.katex .katex-html').count()).toBeGreaterThan(0);
      // no formula left as raw LaTeX in the prose
      expect(await page.locator('main p:has-text("\\\\frac")').count()).toBe(0);
      expect(await page.locator('figure.source pre code.hljs').count()).toBeGreaterThan(0);
      const plots = await page.locator('figure.plot').count();
      expect(await page.locator('figure.plot > svg').count()).toBe(plots);
      expect(await page.locator('.check.ok').count()).toBeGreaterThan(0);
      expect(await page.locator('.check.fail').count()).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('at least one of the pages has an inline plot', async () => {
    let plots = 0;
    for (const id of PAGES) {
      const { page } = await open(`concepts/${id}.html`);
      plots += await page.locator('figure.plot > svg').count();
      await page.close();
    }
    expect(plots).toBeGreaterThan(0);
  });

  it.each([
    ['旋转数组', 'rotated-array-search'],
    ['rope', 'rope'],
  ])('searching %s leads to the %s page', async (query, id) => {
    const { page, errors } = await open('index.html');
    await page.fill('#search', query);
    const first = page.locator('#results a').first();
    expect(await first.getAttribute('href')).toBe(`concepts/${id}.html`);
    await page.press('#search', 'Enter');
    await page.waitForURL(`**/concepts/${id}.html`);
    expect(await page.locator('h1').textContent()).toContain(
      catalog.find((c) => c.id === id)?.title,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
