import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { compile } from './template-compile';
import type { SourceFile } from './template-compile';
import { TemplateError } from './template-error';
import { registerTemplateHelpers } from './template-helpers';
import { canonicalLocale, localeChain } from './template-locale';

export { TemplateError } from './template-error';
export { canonicalLocale, formattingLocale, localeChain } from './template-locale';

/** The templates shipped with thaw; two levels below the package root from src/ and dist/ alike. */
export const BUILT_IN_TEMPLATES_DIR = join(__dirname, '..', '..', 'templates');

/**
 * Reads and compiles a set of templates (the emails', the status pages') once, at start-up. A
 * templates folder looks like (for the emails; `TemplateSet` names the parts a set has):
 *
 *   layouts/<name>.hbs            shared layouts, registered as partials `layouts/<name>`
 *   partials/<name>.hbs           shared partials (locale-neutral structure, words passed in)
 *   <locale>/<kind>.<part>.hbs    part = subject | html | text, e.g. `de/completed.html.hbs`
 *   <locale>/partials/<name>.hbs  partials in that locale's words (footer…), override shared ones
 *
 * Later folders (an operator's `TEMPLATES_DIR`) replace earlier ones file by file and may add
 * locales. Each locale gets its own isolated Handlebars environment, so `{{> footer.html}}` means
 * that locale's footer (or its parent's, or `en`'s) without one locale's partials leaking into
 * another. Partials whose name ends in `.text`, subjects and text parts compile with
 * `noEscape` (they are not HTML); everything else escapes.
 *
 * Everything that can be checked without data is checked here, so a broken template stops
 * start-up instead of every email or page: syntax, unknown helpers called with arguments, unknown
 * partials, misplaced files, and `en` (the last fallback) having all parts.
 */

export type TemplatePart = 'subject' | 'html' | 'text';
export const TEMPLATE_PARTS: readonly TemplatePart[] = ['subject', 'html', 'text'];

/** Which files a templates folder holds: the emails' (notify/) or the status pages' (pages/). */
export interface TemplateSet {
  /** Names a locale folder may hold, without `.hbs` (`completed.html`); `en` must have every one. */
  readonly parts: readonly string[];
  /** Top-level folders that belong to another set and are not read (`pages` beside the emails). */
  readonly skip: readonly string[];
}

export interface CompiledPart {
  readonly render: HandlebarsTemplateDelegate;
  /** Absolute path of the source file, for error messages. */
  readonly file: string;
  /** The locale folder the file came from (canonical tag). */
  readonly locale: string;
}

/** canonical locale → `<kind>.<part>` → compiled template. */
export type CompiledTemplates = ReadonlyMap<string, ReadonlyMap<string, CompiledPart>>;

export function loadTemplates(dirs: readonly string[], set: TemplateSet): CompiledTemplates {
  const sources = new Map<string, SourceFile>();
  for (const dir of dirs) collect(dir, sources, set);
  const locales = new Set<string>();
  for (const name of sources.keys()) {
    const [head] = name.split('/');
    if (head !== undefined && head !== 'layouts' && head !== 'partials') locales.add(head);
  }
  if (!locales.has('en')) throw new TemplateError(`No "en" templates in ${dirs.join(', ')}`);

  const compiled = new Map<string, Map<string, CompiledPart>>();
  for (const locale of locales) compiled.set(locale, compileLocale(locale, sources));

  const missing = set.parts.filter((name) => !compiled.get('en')?.has(name));
  if (missing.length > 0) {
    const files = missing.map((name) => `en/${name}.hbs`).join(', ');
    throw new TemplateError(`Missing templates (en is the last fallback and needs every part): ${files}`);
  }
  return compiled;
}

/** Compiles one locale folder's parts in an environment holding the partials its chain sees. */
function compileLocale(locale: string, sources: ReadonlyMap<string, SourceFile>): Map<string, CompiledPart> {
  const env = Handlebars.create();
  registerTemplateHelpers(env);
  // Registration order: shared, then en, then the parents, then the locale itself; later wins.
  const chain = localeChain(locale).reverse();
  const layers = ['layouts/', 'partials/', ...chain.map((tag) => `${tag}/partials/`)];
  const partials = new Map<string, SourceFile>();
  for (const layer of layers) {
    for (const [name, source] of sources) {
      if (name.startsWith(layer))
        partials.set(layer === 'layouts/' ? name : name.slice(layer.length), source);
    }
  }
  const known = { helpers: new Set(Object.keys(env.helpers)), partials: new Set(partials.keys()) };
  for (const [name, source] of partials) {
    env.registerPartial(name, compile(env, source, name.endsWith('.text'), known));
  }
  const parts = new Map<string, CompiledPart>();
  for (const [name, source] of sources) {
    if (!name.startsWith(`${locale}/`) || name.startsWith(`${locale}/partials/`)) continue;
    const part = name.slice(locale.length + 1);
    const render = compile(env, source, !part.endsWith('.html'), known);
    parts.set(part, { render, file: source.file, locale });
  }
  return parts;
}

/** Adds one templates folder's files to `sources`, keyed by their canonical path (see top). */
function collect(dir: string, sources: Map<string, SourceFile>, set: TemplateSet): void {
  for (const entry of listDir(dir)) {
    const path = join(dir, entry);
    if (set.skip.includes(entry)) continue;
    if (!isDirectory(path)) {
      if (entry.endsWith('.hbs')) throw misplaced(path, 'templates belong in a locale folder, e.g. en/');
    } else if (entry === 'layouts' || entry === 'partials') {
      for (const file of listHbs(path)) sources.set(`${entry}/${file.name}`, read(file.path));
    } else {
      const locale = canonicalLocale(entry);
      if (locale === null) throw misplaced(path, 'not a locale (BCP 47 tag such as de or pt-BR)');
      collectLocale(path, locale, sources, set);
    }
  }
}

function collectLocale(
  dir: string,
  locale: string,
  sources: Map<string, SourceFile>,
  set: TemplateSet,
): void {
  const parts = new Set(set.parts.map((part) => `${part}.hbs`));
  for (const entry of listDir(dir)) {
    const path = join(dir, entry);
    if (entry === 'partials' && isDirectory(path)) {
      for (const file of listHbs(path)) sources.set(`${locale}/partials/${file.name}`, read(file.path));
    } else if (parts.has(entry)) {
      sources.set(`${locale}/${entry.slice(0, -'.hbs'.length)}`, read(path));
    } else if (entry.endsWith('.hbs') || isDirectory(path)) {
      throw misplaced(path, 'expected <kind>.<subject|html|text>.hbs or partials/');
    }
  }
}

/** `.hbs` files below `dir`, named by relative path without the extension. */
function listHbs(dir: string, prefix = ''): Array<{ name: string; path: string }> {
  return listDir(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (isDirectory(path)) return listHbs(path, `${prefix}${entry}/`);
    return entry.endsWith('.hbs') ? [{ name: `${prefix}${entry.slice(0, -'.hbs'.length)}`, path }] : [];
  });
}

/** Entry names, skipping dot files (a Kubernetes ConfigMap mount keeps its `..data` links there). */
function listDir(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((entry) => !entry.startsWith('.'))
      .sort();
  } catch (error) {
    throw new TemplateError(`Cannot read templates folder ${dir}`, error);
  }
}

// statSync follows symbolic links, which ConfigMap mounts are made of.
function isDirectory(path: string): boolean {
  return statSync(path).isDirectory();
}

function read(file: string): SourceFile {
  return { file, source: readFileSync(file, 'utf8').replace(/^\uFEFF/, '') };
}

function misplaced(path: string, why: string): TemplateError {
  return new TemplateError(`Template ${path}: ${why}`);
}

/** The first locale along the chain with this template; `en` has every one (checked at load). */
export function lookupTemplate(
  templates: CompiledTemplates,
  chain: readonly string[],
  name: string,
): CompiledPart {
  for (const locale of chain) {
    const found = templates.get(locale)?.get(name);
    if (found !== undefined) return found;
  }
  throw new TemplateError(`No template for ${name} (checked ${chain.join(', ')})`);
}
