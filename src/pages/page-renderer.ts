import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { RestoreRequest } from '../domain/restore-request';
import { resolveTimeZone, textDirection } from '../templating/template-helpers';
import type { CompiledPart, TemplateSet } from '../templating/template-loader';
import {
  BUILT_IN_TEMPLATES_DIR,
  TemplateError,
  formattingLocale,
  loadTemplates,
  localeChain,
  lookupTemplate,
} from '../templating/template-loader';
import { tidyHtml } from '../templating/template-output';
import { loadPageStyle } from './page-style';
import type { PageStyle } from './page-style';
import { buildStatusView } from './status-view-model';

/**
 * Customer pages (the status page and its "not found" sibling) rendered the way emails are:
 * Handlebars templates per locale with the emails' fallback chain (pt-BR → pt → en), helpers and
 * formatting rules, from `templates/pages/` (layouts/, partials/, <locale>/<page>.html.hbs for
 * status, not-found and unavailable, <locale>/partials/), plus the one stylesheet `status.css`.
 */
export const BUILT_IN_PAGES_DIR = join(BUILT_IN_TEMPLATES_DIR, 'pages');

export const PAGE_TEMPLATE_SET: TemplateSet = {
  parts: ['status.html', 'not-found.html', 'unavailable.html'],
  skip: [],
};

export interface PageRendererOptions {
  /** Folder of the built-in page templates, normally `BUILT_IN_PAGES_DIR`. */
  readonly pagesDir: string;
  /** An operator's page folder (`TEMPLATES_DIR/pages`); used when it exists, file by file. */
  readonly overrideDir?: string;
}

export interface RenderedPage {
  readonly html: string;
  /** The `lang` the page was written in. */
  readonly locale: string;
}

export interface PageRenderer {
  /** The status page of one request; `downloadUrls` by object index. Throws TemplateError. */
  status(request: RestoreRequest, downloadUrls: ReadonlyMap<number, string>, now: number): RenderedPage;
  /** The friendly 404 page, in `locale` when given (the request's, if known), else English. */
  notFound(locale: string | undefined, now: number): RenderedPage;
  /** The page for a failure on thaw's side (Redis unreachable…), in English. */
  unavailable(now: number): RenderedPage;
  /** The CSP `style-src` source that allows the pages' inline stylesheet (a SHA-256 hash). */
  readonly styleSource: string;
}

/** Loads and compiles the page templates and stylesheet now; a broken one throws TemplateError. */
export function createPageRenderer(options: PageRendererOptions): PageRenderer {
  const dirs = [options.pagesDir];
  if (options.overrideDir !== undefined && existsSync(options.overrideDir)) dirs.push(options.overrideDir);
  const templates = loadTemplates(dirs, PAGE_TEMPLATE_SET);
  const styleFile = [...dirs].reverse().find((dir) => existsSync(join(dir, 'status.css')));
  const style = loadPageStyle(join(styleFile ?? options.pagesDir, 'status.css'));

  function message(name: string, tag: string, now: number): RenderedPage {
    const found = lookupTemplate(templates, localeChain(tag), name);
    const locale = formattingLocale(tag, found.locale);
    return { html: render(found, {}, style, { locale, timeZone: 'UTC', now }), locale };
  }

  return {
    styleSource: style.source,
    status(request, downloadUrls, now) {
      const { locale: tag, timeZone } = request.recipient;
      const found = lookupTemplate(templates, localeChain(tag), 'status.html');
      const locale = formattingLocale(tag, found.locale);
      const zone = resolveTimeZone(timeZone);
      const view = buildStatusView({ request, downloadUrls, now, locale, timeZone: zone });
      return { html: render(found, view, style, { locale, timeZone: zone, now }), locale };
    },
    notFound: (tag, now) => message('not-found.html', tag ?? 'en', now),
    unavailable: (now) => message('unavailable.html', 'en', now),
  };
}

function render(
  found: CompiledPart,
  view: object,
  style: PageStyle,
  settings: { locale: string; timeZone: string; now: number },
): string {
  // SafeString: our own stylesheet (never user data) goes into <style> as is; escaping would
  // turn its quotes into entities, which CSS does not decode, and change the hashed text.
  const context = { ...view, css: new Handlebars.SafeString(style.css) };
  const data = {
    locale: settings.locale,
    timeZone: settings.timeZone,
    now: new Date(settings.now).toISOString(),
    dir: textDirection(settings.locale),
  };
  try {
    return tidyHtml(found.render(context, { data }));
  } catch (error) {
    throw new TemplateError(
      `Template ${found.file} failed to render: ${String(error)}`,
      error,
      'template_render_failed',
    );
  }
}
