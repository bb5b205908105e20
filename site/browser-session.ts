/**
 * Headless Chromium for the site's browser test and its screenshots: Debian's `chromium` driven by
 * playwright-core (no browser download). `findChromium` installs it with apt-get where it is missing
 * and that is possible (root, apt-get present), and says why not otherwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The flags this machine needs: no sandbox as root, and no background traffic to a closed network. */
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

/** The Chromium executable, installed first if missing and possible; else the reason it is not there. */
export function findChromium(install = true): { path?: string; reason?: string } {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return { path: found };
  if (!install) return { reason: 'no chromium at /usr/bin/chromium' };
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    return {
      reason:
        'chromium is missing and cannot be installed here (needs root and apt-get): apt-get install chromium',
    };
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const opts = { stdio: 'ignore' as const, env, timeout: 600_000 };
    try {
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], opts);
    } catch {
      execFileSync('apt-get', ['update'], opts);
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], opts);
    }
  } catch (error) {
    return {
      reason: `apt-get install chromium failed: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  const installed = CANDIDATES.find((p) => existsSync(p));
  return installed
    ? { path: installed }
    : { reason: 'apt-get install chromium did not provide /usr/bin/chromium' };
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
}
