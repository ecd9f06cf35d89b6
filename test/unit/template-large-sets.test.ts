import Handlebars from 'handlebars';
import type { EmailData, NotificationKind } from '../../src/notify/email-data';
import { NOTIFICATION_KINDS } from '../../src/notify/email-data';
import { KEY_BREAK_HTML } from '../../src/templating/key-breaks';
import { BUILT_IN_TEMPLATES_DIR, createTemplateRenderer } from '../../src/notify/template-renderer';
import { delimitedUrls, emailDataFor, keyOf, listItemFrom, octets, presignedUrl } from './template-fixtures';

/**
 * Large requests, read where customers read them. One request may name 1,000 objects with keys of
 * up to 1,024 bytes. Gmail clips an HTML part past about 102 KB ("[Message clipped]"): the reader
 * sees the top of the list and never reaches the footer. So every email names its first files (at
 * most 25), says how many more there are, and points to the status page, which lists them all,
 * near the top and again below the list. Without PUBLIC_BASE_URL there is no status page and the
 * ready email carries presigned S3 URLs (1,600-4,600 characters each): it links what fits.
 */

/** Under Gmail's clip (~102 KB), in bytes of the UTF-8 HTML. */
const HTML_MAX_BYTES = 100_000;
/** The text part is not clipped, but stays proportionate: the same bound as the HTML. */
const TEXT_MAX_BYTES = 100_000;
/** RFC 5322 §2.1.1. */
const MAX_LINE_OCTETS = 998;
const COUNT = 1000;
const STATUS_PAGE = 'https://thaw.example.com/r/pT7xQ2mK9vR4tLw8Zs3nB6cY1dF5gH0j';

const renderer = createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR });
const locales = renderer.locales();

const number = (locale: string, value: number): string => new Intl.NumberFormat(locale).format(value);

/** Each locale's words for "M more" (with its plural), the count of all files, and the footer. */
interface Words {
  readonly more: (count: string, one: boolean) => string;
  readonly of: (count: string) => string;
  readonly footer: string;
}
const WORDS: Readonly<Record<string, Words>> = {
  en: {
    more: (count, one) => `…and ${count} more ${one ? 'file' : 'files'}`,
    of: (count) => `of your ${count} files`,
    footer: 'You are receiving this email because',
  },
  de: {
    more: (count, one) => `… und ${count} weitere ${one ? 'Datei' : 'Dateien'}`,
    of: (count) => `Ihrer ${count} Dateien`,
    footer: 'Sie erhalten diese E-Mail, weil',
  },
};

function words(locale: string): Words {
  const found = WORDS[locale];
  if (found === undefined) throw new Error(`no words for ${locale}`);
  return found;
}

const pad = (index: number): string => String(index).padStart(4, '0');

/** Keys at S3's limit, each starting with a folder of its own index (`exports/0007/`). */
const KEY_SETS = {
  ascii: { folder: (index: number) => `exports/${pad(index)}/`, unit: 'ledger-2026-q3-' },
  multibyte: { folder: (index: number) => `写真/${pad(index)}/`, unit: '日本語のファイル名😀e\u0301' },
  typical: { folder: (index: number) => `photos/2026/holiday/${pad(index)}/`, unit: '' },
} as const;
type KeySet = keyof typeof KEY_SETS;

function keyFor(set: KeySet, index: number): string {
  const { folder, unit } = KEY_SETS[set];
  return set === 'typical' ? `${folder(index)}IMG_${pad(index)}.jpg` : keyOf(folder(index), unit, 1024);
}

type LinkMode = 'status page' | 'presigned';

function dataFor(
  kind: NotificationKind,
  locale: string,
  set: KeySet,
  mode: LinkMode,
  count = COUNT,
): EmailData {
  const seeds = Array.from({ length: count }, (_, index) => {
    const key = keyFor(set, index);
    const downloadUrl =
      mode === 'presigned'
        ? presignedUrl(key)
        : `https://thaw.example.com/d/Qx2mK9vR4tLw8Zs3nB6c${pad(index)}`;
    return { key, size: 1_234_567 * (index + 1), downloadUrl };
  });
  return emailDataFor(kind, locale, seeds, mode === 'status page' ? STATUS_PAGE : undefined);
}

const escape = (value: string): string => Handlebars.Utils.escapeExpression(value);
/** The HTML without the break opportunities in keys and the empty comments that cut long lines. */
const unbroken = (html: string): string =>
  html
    .replace(/<!--\n-->/g, '')
    .split(KEY_BREAK_HTML)
    .join('');

/**
 * A pattern for `phrase` wherever the text part wrapped it (a space may be any whitespace), as a
 * whole word: "1 more file" does not match "1 more files".
 */
const patternOf = (phrase: string): string =>
  `${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')}(?!\\p{L})`;

/** Where `phrase` starts in `part` at or after `from`, or -1. */
function indexIn(part: string, phrase: string, from = 0): number {
  const found = new RegExp(patternOf(phrase), 'gu');
  found.lastIndex = from;
  return found.exec(part)?.index ?? -1;
}

/** How many objects the email names: all but the "M more" it states (the same in both parts). */
function namedCount(locale: string, html: string, text: string, total: number): number {
  const { more } = words(locale);
  const stated = (part: string): string | undefined => {
    for (const one of [false, true]) {
      const pattern = patternOf(more('#', one)).replace('#', '(\\d[\\d.,]*)');
      const found = new RegExp(pattern, 'u').exec(part)?.[1];
      if (found !== undefined) return found;
    }
    return undefined;
  };
  expect(stated(html)).toBeDefined();
  expect(stated(text)).toBe(stated(html));
  return total - Number((stated(html) ?? '').replace(/[.,]/g, ''));
}

/**
 * Everything a reader of a large request should get, in both parts: within bounds, the first
 * `named` files and none after them, "M more" (with the right plural) after the list, the status
 * page link before the list and after it when there is one, and the footer at the end.
 */
function expectReadable(data: EmailData, set: KeySet, html: string, text: string): number {
  const { locale } = data.recipient;
  const total = data.objects.length;
  expect(octets(html)).toBeLessThan(HTML_MAX_BYTES);
  expect(octets(text)).toBeLessThan(TEXT_MAX_BYTES);
  for (const line of text.split('\n')) expect(octets(line)).toBeLessThanOrEqual(MAX_LINE_OCTETS);

  const named = namedCount(locale, html, text, total);
  expect(named).toBeGreaterThanOrEqual(1);
  expect(named).toBeLessThanOrEqual(25);
  const keys = data.objects.map((object) => object.key);
  const flat = unbroken(html);
  for (const key of keys.slice(0, named)) {
    expect(flat).toContain(escape(key));
    expect(listItemFrom(text, key).startsWith(key)).toBe(true);
  }
  // No file after the first `named`: neither its key nor its link (which holds the key).
  for (let index = named; index < total; index += 1) {
    const folder = KEY_SETS[set].folder(index);
    expect(flat.includes(escape(folder))).toBe(false);
    expect(text.includes(folder)).toBe(false);
  }
  const urls = data.objects.slice(0, named).flatMap((object) => object.downloadUrl ?? []);
  for (const url of urls) expect(flat).toContain(`href="${escape(url)}"`);
  if (urls.some((url) => octets(url) > MAX_LINE_OCTETS)) expect(delimitedUrls(text)).toEqual(urls);

  const { more, of, footer } = words(locale);
  const phrase = more(number(locale, total - named), total - named === 1);
  const itemAt = (part: string, key: string): number =>
    part === flat ? part.indexOf(escape(key)) : part.indexOf(`\n- ${key.slice(0, 40)}`);
  for (const part of [flat, text]) {
    const first = itemAt(part, keys[0] ?? '');
    const last = itemAt(part, keys[named - 1] ?? '');
    const moreAt = indexIn(part, phrase);
    const footerAt = indexIn(part, footer);
    expect(first).toBeGreaterThan(0);
    // Near the top: how many files there are, before the list…
    expect(indexIn(part.slice(0, first), of(number(locale, total)))).toBeGreaterThan(0);
    // …"M more" after it, then the footer, all of it, at the end.
    expect(moreAt).toBeGreaterThan(last);
    expect(footerAt).toBeGreaterThan(moreAt);
    expect(part.slice(footerAt)).toMatch(/req-42[\s\S]{0,200}$/);
    if (data.statusPageUrl !== undefined) {
      const link = part === flat ? `href="${STATUS_PAGE}"` : `\n${STATUS_PAGE}\n`;
      expect(part.indexOf(link)).toBeGreaterThan(0);
      expect(part.indexOf(link)).toBeLessThan(first);
      expect(part.indexOf(link, moreAt)).toBeGreaterThan(moreAt);
      expect(part.indexOf(link, moreAt)).toBeLessThan(footerAt);
    } else {
      expect(part).not.toContain('thaw.example.com/r/');
    }
  }
  expect(html.endsWith('</html>\n')).toBe(true);
  return named;
}

const modes: readonly LinkMode[] = ['status page', 'presigned'];
const longCases = locales.flatMap((locale) =>
  NOTIFICATION_KINDS.flatMap((kind) =>
    (['ascii', 'multibyte'] as const).flatMap((set) =>
      modes.map((mode) => [locale, kind, set, mode] as const),
    ),
  ),
);

describe('1,000 objects with 1,024-byte keys', () => {
  it.each(longCases)(
    '%s %s (%s keys, %s links): HTML and text under 100 KB, the first files named, "M more", the footer',
    (locale, kind, set, mode) => {
      const data = dataFor(kind, locale, set, mode);
      const { html, text, subject } = renderer.render(data);
      const named = expectReadable(data, set, html, text);
      // As many as fit: short /d/ links leave room for more names than presigned URLs do.
      expect(named).toBeGreaterThanOrEqual(mode === 'status page' || !data.objects[0]?.downloadUrl ? 15 : 5);
      expect(subject).toContain(number(locale, COUNT));
    },
  );
});

describe('1,000 objects with typical keys', () => {
  it.each(locales.flatMap((locale) => NOTIFICATION_KINDS.map((kind) => [locale, kind] as const)))(
    '%s %s: names the first 25, then "975 more", with the status page link above and below the list',
    (locale, kind) => {
      const data = dataFor(kind, locale, 'typical', 'status page');
      const { html, text } = renderer.render(data);
      expect(expectReadable(data, 'typical', html, text)).toBe(25);
      expect(html).toContain(words(locale).more('975', false));
    },
  );

  it.each(locales)('%s completed with presigned URLs: says how many are ready, links what fits', (locale) => {
    const data = dataFor('completed', locale, 'typical', 'presigned');
    const { html, text } = renderer.render(data);
    expect(expectReadable(data, 'typical', html, text)).toBeGreaterThanOrEqual(20);
    expect(html).toContain(locale === 'de' ? 'Ihre 1.000 Dateien sind bereit' : 'Your 1,000 files are ready');
  });
});

describe('small sets', () => {
  it.each(locales.flatMap((locale) => NOTIFICATION_KINDS.map((kind) => [locale, kind] as const)))(
    '%s %s: 25 objects are all named; a 26th makes "1 more file" in the singular',
    (locale, kind) => {
      const all = renderer.render(dataFor(kind, locale, 'typical', 'status page', 25));
      for (let index = 0; index < 25; index += 1) {
        expect(all.html).toContain(keyFor('typical', index));
        expect(all.text).toContain(`- ${keyFor('typical', index)} (`);
      }
      expect(`${all.html}${all.text}`).not.toMatch(/…and|… und/);

      const data = dataFor(kind, locale, 'typical', 'status page', 26);
      const { html, text } = renderer.render(data);
      expect(expectReadable(data, 'typical', html, text)).toBe(25);
      expect(indexIn(text, words(locale).more('1', true))).toBeGreaterThan(0);
    },
  );

  it.each(locales)(
    '%s: 25 objects with the longest keys and presigned URLs stay under the clip',
    (locale) => {
      const data = dataFor('completed', locale, 'multibyte', 'presigned', 25);
      const { html, text } = renderer.render(data);
      expect(expectReadable(data, 'multibyte', html, text)).toBeGreaterThanOrEqual(5);
    },
  );
});
