import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { TemplateError } from '../templating/template-error';

/**
 * The status page's stylesheet, inlined rather than served from a second URL: one request per
 * page, nothing that breaks when thaw sits under a path prefix behind a proxy, and the page
 * still looks right when a customer saves it. The CSP allows exactly this text by its SHA-256
 * hash, so no other inline style (and no injected one) applies.
 */
export interface PageStyle {
  /** The CSS as it goes between `<style>` and `</style>`. */
  readonly css: string;
  /** CSP source expression for it, e.g. `'sha256-…'` (quotes included). */
  readonly source: string;
}

/**
 * Comments stripped, lines trimmed, blank lines dropped: the page's own whitespace tidying then
 * leaves the text as it was hashed (a hash over different bytes would block the whole sheet).
 */
export function normaliseCss(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

export function pageStyle(css: string): PageStyle {
  if (/<\/style/i.test(css)) throw new TemplateError('The page stylesheet must not contain "</style"');
  const digest = createHash('sha256').update(css, 'utf8').digest('base64');
  return { css, source: `'sha256-${digest}'` };
}

export function loadPageStyle(file: string): PageStyle {
  let source: string;
  try {
    source = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new TemplateError(`Cannot read the page stylesheet ${file}`, error);
  }
  return pageStyle(normaliseCss(source));
}
