import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (no browser download). CI installs it; a machine
 * without it fails these tests with a message saying so. The only way to skip them is explicit:
 * THAW_SKIP_BROWSER=1, which Jest then reports as skipped tests.
 */
export const CHROMIUM_PATH = process.env.THAW_CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SKIP_BROWSER = process.env.THAW_SKIP_BROWSER === '1';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** `describe`, or `describe.skip` with a warning when THAW_SKIP_BROWSER=1. */
export function describeInBrowser(name: string, body: () => void): void {
  if (SKIP_BROWSER) {
    console.warn(`THAW_SKIP_BROWSER=1: skipping the browser tests "${name}"`);
    describe.skip(name, body);
  } else {
    describe(name, body);
  }
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM_PATH} (Debian: apt-get install chromium). ` +
        'Set THAW_CHROMIUM_PATH to use another binary, or THAW_SKIP_BROWSER=1 to skip these tests on purpose.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}
