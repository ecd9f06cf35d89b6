import { archiveFamily, restoreWindow } from '../domain/restore-times';
import { InvalidInputError } from '../errors';
import type { EmailData, EmailObject, RenderedEmail } from './email-data';
import { NOTIFICATION_KINDS } from './email-data';
import { renderWithinBudget } from './list-budget';
import { foldText } from './text-fold';
import { basename, resolveTimeZone, textDirection } from '../templating/template-helpers';
import type { CompiledTemplates, TemplatePart, TemplateSet } from '../templating/template-loader';
import {
  TEMPLATE_PARTS,
  TemplateError,
  formattingLocale,
  loadTemplates,
  localeChain,
  lookupTemplate,
} from '../templating/template-loader';
import { cleanStrings, tidyHtml, tidyText, toSubjectLine, webUrl } from '../templating/template-output';

export { BUILT_IN_TEMPLATES_DIR, TemplateError } from '../templating/template-loader';

/** The email templates: `<kind>.<part>` for every kind; the status pages' folder is not read. */
export const EMAIL_TEMPLATE_SET: TemplateSet = {
  parts: NOTIFICATION_KINDS.flatMap((kind) => TEMPLATE_PARTS.map((part) => `${kind}.${part}`)),
  skip: ['pages'],
};

export interface TemplateRendererOptions {
  /** Folder of the built-in templates, normally `BUILT_IN_TEMPLATES_DIR`. */
  readonly templatesDir: string;
  /** An operator's folder (`TEMPLATES_DIR`); its files replace built-in ones file by file. */
  readonly overrideDir?: string;
}

export interface TemplateRenderer {
  /** Subject (one line), HTML and plain text for one notification. Throws TemplateError. */
  render(data: EmailData): RenderedEmail;
  /** Locales with templates of their own, e.g. ['de', 'en']; others fall back (pt-BR → pt → en). */
  locales(): string[];
}

/**
 * What templates see: the EmailData (user strings cleaned of control characters, URLs that are
 * not http(s) dropped) plus fields every template would otherwise compute itself.
 */
export interface TemplateContext extends Omit<EmailData, 'objects'> {
  /** Every object of the request (up to 1,000): templates list `listed`, see `list-budget.ts`. */
  readonly objects: readonly TemplateObject[];
  /** The objects the email names: the first ones, as many as keep it readable (at most 25). */
  readonly listed: readonly TemplateObject[];
  readonly listedCount: number;
  /** Objects not named (`objectCount - listedCount`): "…and 975 more files"; 0 when all are. */
  readonly moreCount: number;
  /** The first object; the only one unless `multi`. */
  readonly object: TemplateObject;
  /** Last path segment of the first object's key, for sentences in the body. */
  readonly objectName: string;
  /**
   * How a single-object subject names the object: its whole key, so two files of the same name in
   * different folders stay apart, or only the last segment when the key is too long for a subject.
   */
  readonly subjectName: string;
  readonly objectCount: number;
  readonly multi: boolean;
  /** Objects with a download link. */
  readonly linkCount: number;
  readonly failedCount: number;
  /** Sum of the sizes, when every object's size is known. */
  readonly totalSize?: number;
  /** How long restores of this class and tier typically take (src/domain/restore-times.ts). */
  readonly window: { readonly minMs: number; readonly maxMs: number };
  readonly archiveFamily: 'flexible' | 'deep' | 'unknown';
  /** No `restoreExpiresAt`: the copy stays (Intelligent-Tiering moves back to a frequent tier). */
  readonly neverExpires: boolean;
}

export interface TemplateObject extends EmailObject {
  /** Last path segment of the key. */
  readonly name: string;
}

/** Loads and compiles every template now; a broken one throws TemplateError (stop start-up). */
export function createTemplateRenderer(options: TemplateRendererOptions): TemplateRenderer {
  const dirs = [options.templatesDir, ...(options.overrideDir === undefined ? [] : [options.overrideDir])];
  const templates = loadTemplates(dirs, EMAIL_TEMPLATE_SET);
  return {
    render: (data) => render(templates, data),
    locales: () => [...templates.keys()].sort(),
  };
}

function render(templates: CompiledTemplates, data: EmailData): RenderedEmail {
  if (!NOTIFICATION_KINDS.includes(data.kind)) {
    throw new InvalidInputError('email_data_invalid', `Unknown notification kind "${String(data.kind)}"`);
  }
  if (data.objects.length === 0) {
    throw new InvalidInputError(
      'email_data_invalid',
      `Request ${data.requestId} has no objects to tell about`,
    );
  }
  const everything = buildContext(data);
  const chain = localeChain(data.recipient.locale);
  const timeZone = resolveTimeZone(data.recipient.timeZone);
  const renderPart = (part: TemplatePart, context: TemplateContext): string => {
    const found = lookupTemplate(templates, chain, `${data.kind}.${part}`);
    const locale = formattingLocale(data.recipient.locale, found.locale);
    const settings = { locale, timeZone, now: data.now, dir: textDirection(locale) };
    try {
      return found.render(context, { data: settings });
    } catch (error) {
      throw new TemplateError(
        `Template ${found.file} failed to render: ${String(error)}`,
        error,
        'template_render_failed',
      );
    }
  };
  const unbreakable = unbreakableValues(everything);
  const body = renderWithinBudget(everything.objectCount, (listedCount) => {
    const context = naming(everything, listedCount);
    const html = tidyHtml(renderPart('html', context));
    return { html, text: foldText(tidyText(renderPart('text', context)), unbreakable), context };
  });
  const subject = toSubjectLine(renderPart('subject', body.context));
  if (subject === '') {
    throw new TemplateError(
      `The ${data.kind} subject template rendered nothing`,
      undefined,
      'template_render_failed',
    );
  }
  return { subject, html: body.html, text: body.text };
}

/** The context naming the first `listedCount` objects (see `list-budget.ts`). */
function naming(context: TemplateContext, listedCount: number): TemplateContext {
  const listed = context.objects.slice(0, listedCount);
  return { ...context, listed, listedCount: listed.length, moreCount: context.objectCount - listed.length };
}

/** Data the text part must not wrap at its spaces: keys, names and links (see `foldText`). */
function unbreakableValues(context: TemplateContext): string[] {
  const links = [context.statusPageUrl, ...context.objects.map((object) => object.downloadUrl)];
  return [
    ...context.objects.flatMap((object) => [object.key, object.name]),
    ...links.filter((link): link is string => link !== undefined),
  ];
}

/** Longest key a subject names whole (code points); the subject itself is capped at 200. */
const SUBJECT_KEY_MAX_LENGTH = 100;

function buildContext(data: EmailData): TemplateContext {
  const objects = data.objects.map((object) => ({
    ...object,
    name: basename(object.key),
    downloadUrl: webUrl(object.downloadUrl),
  }));
  const [first] = objects;
  if (first === undefined) throw new InvalidInputError('email_data_invalid', 'no objects');
  const sizes = objects.map((object) => object.size);
  const family = archiveFamily(data.storageClass);
  return cleanStrings({
    ...data,
    statusPageUrl: webUrl(data.statusPageUrl),
    objects,
    object: first,
    objectName: first.name,
    subjectName: Array.from(first.key).length <= SUBJECT_KEY_MAX_LENGTH ? first.key : first.name,
    objectCount: objects.length,
    listed: objects,
    listedCount: objects.length,
    moreCount: 0,
    multi: objects.length > 1,
    linkCount: objects.filter((object) => object.downloadUrl !== undefined).length,
    failedCount: objects.filter((object) => object.status === 'failed').length,
    totalSize: sizes.every((size) => typeof size === 'number')
      ? sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0)
      : undefined,
    window: restoreWindow(data.tier, family),
    archiveFamily: family,
    neverExpires: data.restoreExpiresAt === undefined,
  });
}
