import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { CONTRAST_PROBLEMS } from './contrast';
import { distinctColours } from './png-colours';

export const ARTIFACTS_DIR = join(__dirname, '..', 'artifacts');
/** The committed picture of the page (README, docs); written only when missing. */
export const DOCS_SCREENSHOT = join(__dirname, '..', '..', 'docs', 'customer-page.png');

export interface OpenedPage {
  readonly page: Page;
  readonly response: Response;
  /** Console errors, which include every Content-Security-Policy violation. */
  readonly errors: string[];
  readonly html: string;
}

/** Opens `url` in a fresh tab, the way a customer clicking the email link would. */
export async function openPage(context: BrowserContext, url: string): Promise<OpenedPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const response = await page.goto(url);
  if (!response) throw new Error(`no response for ${url}`);
  return { page, response, errors, html: await response.text() };
}

/**
 * A screenshot (full page unless told) in test/artifacts/, checked not to be blank: the PNG has more than a
 * few colours and the headline has a visible box. Returns the PNG.
 */
export async function screenshot(page: Page, name: string, options = { fullPage: true }): Promise<Buffer> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const png = await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: options.fullPage });
  expect(distinctColours(png)).toBeGreaterThan(16);
  const box = await page.locator('h1').boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(50);
  expect(box?.height ?? 0).toBeGreaterThan(10);
  return png;
}

export function saveDocsScreenshotOnce(png: Buffer): void {
  if (existsSync(DOCS_SCREENSHOT)) return;
  mkdirSync(dirname(DOCS_SCREENSHOT), { recursive: true });
  writeFileSync(DOCS_SCREENSHOT, png);
}

/** Text below WCAG AA contrast, as measured in the rendered page. */
export async function contrastProblems(page: Page): Promise<unknown[]> {
  return page.evaluate(CONTRAST_PROBLEMS) as Promise<unknown[]>;
}

/** The headers every customer page carries, with a CSP that allows no script and no other style. */
export function expectPageHeaders(response: Response): void {
  const headers = response.headers();
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['content-type']).toBe('text/html; charset=utf-8');
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; /);
  expect(csp).not.toMatch(/unsafe-inline|script-src|img-src/);
}

export async function refreshSeconds(page: Page): Promise<string | null> {
  const meta = page.locator('meta[http-equiv="refresh"]');
  return (await meta.count()) === 0 ? null : meta.getAttribute('content');
}
