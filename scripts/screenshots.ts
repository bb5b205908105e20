/**
 * `npm run screenshots`: builds the whole site and photographs its home page and the RoPE page in
 * headless Chromium, into docs/screenshots/ (shown in the README). Chinese titles need a CJK font
 * on the machine (Debian: fonts-noto-cjk); without one they show as boxes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolvePath } from '../catalog/paths.js';
import { findChromium, launchChromium } from '../site/browser-session.js';
import { buildSite } from '../site/build.js';

const chromium = findChromium();
if (!chromium.path) throw new Error(`no browser for screenshots: ${chromium.reason}`);
const { out } = await buildSite();
const dir = resolvePath('docs/screenshots');
mkdirSync(dir, { recursive: true });
const browser = await launchChromium(chromium.path);
const page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
for (const [path, name] of [
  ['index.html', 'home.png'],
  ['concepts/rope.html', 'rope.png'],
] as const) {
  await page.goto(pathToFileURL(join(out, path)).href);
  await page.screenshot({ path: join(dir, name) });
  console.log(`docs/screenshots/${name}`);
}
await browser.close();
