import Handlebars from 'handlebars';
import type { EmailData, NotificationKind } from '../../src/notify/email-data';
import { NOTIFICATION_KINDS } from '../../src/notify/email-data';
import { BUILT_IN_TEMPLATES_DIR, createTemplateRenderer } from '../../src/notify/template-renderer';
import { delimitedUrls, emailDataFor, keyOf, listItemFrom, octets, presignedUrl } from './template-fixtures';

/**
 * Every email kind, in every built-in locale, rendered with the longest values thaw meets: object
 * keys of 1,012 bytes (S3 allows 1,024 bytes of UTF-8), keys of multi-byte characters, keys with
 * spaces, and presigned URLs minted with a session token (an ECS or EC2 role), which are
 * 1,600-4,600 characters long.
 */

/** RFC 5322 §2.1.1: a line is at most 998 octets, CRLF excluded. */
const MAX_LINE_OCTETS = 998;
/** Prose in the text part is wrapped at 76 characters; "about", so 78 is the bound asserted. */
const PROSE_MAX = 78;

const codePoints = (line: string): number => Array.from(line).length;

const KEYS = {
  // One path segment of ~1,000 bytes: nothing to break at but the hard limit.
  ascii: keyOf('exports/2026/', 'ledger-2026-q3-', 1012),
  // 3-byte CJK, 4-byte emoji (surrogate pairs in JavaScript) and a combining accent.
  multibyte: keyOf('写真/2026/', '日本語のファイル名😀e\u0301', 1012),
  // Under the limit but far wider than a line, with spaces that must not become line breaks.
  spaced: `Customer Reports/2026/Annual Review – Final Version (approved by the board) ${'Appendix '.repeat(12)}copy 2.pdf`,
};

const renderer = createTemplateRenderer({ templatesDir: BUILT_IN_TEMPLATES_DIR });

function dataFor(kind: NotificationKind, locale: string, keys: readonly string[]): EmailData {
  const seeds = keys.map((key, index) => ({
    key,
    size: 1_234_567_890 * (index + 1),
    downloadUrl: presignedUrl(key),
  }));
  return emailDataFor(kind, locale, seeds, 'https://status.example.com/r/req-42');
}

/** Data in the text that is not prose: the key, its last segment and the download URL. */
function isDataLine(line: string, values: readonly string[]): boolean {
  const bare = line
    .replace(/^ *(- )?<?/, '')
    .replace(/>$/, '')
    .replace(/[,.;:!?]$/, ''); // a sentence goes on after a name
  return bare !== '' && values.some((value) => value.includes(bare));
}

const kinds = NOTIFICATION_KINDS;
const locales = renderer.locales();
const cases = locales.flatMap((locale) =>
  kinds.flatMap((kind) =>
    (Object.keys(KEYS) as Array<keyof typeof KEYS>).map((name) => [locale, kind, name] as const),
  ),
);

describe('the text part with long keys and URLs', () => {
  it.each(cases)('%s %s (%s key): no line over 998 octets, the key and link whole', (locale, kind, name) => {
    const key = KEYS[name];
    const data = dataFor(kind, locale, [key]);
    const { text } = renderer.render(data);
    const lines = text.split('\n');
    for (const line of lines) expect(octets(line)).toBeLessThanOrEqual(MAX_LINE_OCTETS);
    // Broken only between characters: encoding to UTF-8 and back changes nothing (a lone
    // surrogate would come back as U+FFFD).
    expect(new TextDecoder().decode(new TextEncoder().encode(text))).toBe(text);
    // The reader gets the whole key back by joining the lines of its list item…
    const item = listItemFrom(text, key);
    expect(item.startsWith(key)).toBe(true);
    expect(item.slice(key.length)).toMatch(/^ ?\(/); // …followed by its size, not by more key
    // …and the whole link: on its own lines, in <…> when it had to be broken (RFC 3986 App. C).
    const url = data.objects[0]?.downloadUrl;
    if (url !== undefined) {
      expect(octets(url)).toBeGreaterThan(MAX_LINE_OCTETS);
      expect(delimitedUrls(text)).toContain(url);
    }
    // Every line wider than prose is data alone: a piece of the key, its name or the link.
    const lastSegment = key.slice(key.lastIndexOf('/') + 1);
    const values = [key, lastSegment, ...(url === undefined ? [] : [url])];
    for (const line of lines.filter((line) => codePoints(line) > PROSE_MAX)) {
      expect(isDataLine(line, values)).toBe(true);
    }
  });

  it.each(locales.flatMap((locale) => kinds.map((kind) => [locale, kind] as const)))(
    '%s %s with short values: prose wrapped at about 76 characters, short links whole',
    (locale, kind) => {
      const data = dataFor(kind, locale, ['photos/2024/holiday.jpg', 'a/one.txt']);
      const objects = data.objects.map((object, index) => ({
        ...object,
        ...(object.downloadUrl === undefined ? {} : { downloadUrl: `https://dl.example.com/d/tok-${index}` }),
      }));
      const { text } = renderer.render({ ...data, objects });
      for (const line of text.split('\n')) expect(codePoints(line)).toBeLessThanOrEqual(PROSE_MAX);
      for (const object of objects) {
        if (object.downloadUrl !== undefined) expect(text).toContain(`\n  ${object.downloadUrl}\n`);
        expect(text).toContain(`\n- ${object.key} (`);
      }
      expect(text).toContain('\nhttps://status.example.com/r/req-42\n');
      // Items keep their shape: continuation lines of a list item are indented under its text.
      expect(text).not.toMatch(/\n- [^\n]*\n[^ \n-]/);
    },
  );

  it('keeps several long items apart and each key whole', () => {
    const keys = [KEYS.ascii, KEYS.multibyte, KEYS.spaced];
    const { text } = renderer.render(dataFor('completed', 'de', keys));
    for (const line of text.split('\n')) expect(octets(line)).toBeLessThanOrEqual(MAX_LINE_OCTETS);
    for (const key of keys) expect(listItemFrom(text, key).startsWith(key)).toBe(true);
    expect(delimitedUrls(text)).toEqual(keys.map(presignedUrl));
  });
});

describe('the HTML part with long keys', () => {
  /** `<wbr>`, and for Outlook's Word engine a zero-width space only it reads. */
  const BREAK = '<wbr><!--[if mso]>&#8203;<![endif]-->';
  const escape = (value: string): string => Handlebars.Utils.escapeExpression(value);
  /** The HTML without the empty comments that keep its lines under 900 characters. */
  const unbroken = (html: string): string => html.replace(/<!--\n-->/g, '');

  it.each(locales.flatMap((locale) => kinds.map((kind) => [locale, kind] as const)))(
    '%s %s: break opportunities in displayed keys, hrefs untouched',
    (locale, kind) => {
      const key = KEYS.multibyte;
      const data = dataFor(kind, locale, [key, 'a/one.txt']);
      const html = unbroken(renderer.render(data).html);
      const pieces = key.match(/[^/]*\//g) ?? [];
      // After every "/" of a long key…
      for (const piece of pieces) expect(html).toContain(`${escape(piece)}${BREAK}`);
      // …and within every 20 characters: the list shows the key as pieces no wider than that.
      const [display = '', short = ''] = [
        ...html.matchAll(/<div\s+style="font-weight:600;[^"]*">([^]*?)<\/div>/g),
      ].map((match) => match[1]);
      expect(display.split(BREAK).join('')).toBe(escape(key));
      for (const part of display.split(BREAK)) expect(codePoints(part)).toBeLessThanOrEqual(20);
      expect(display.split(BREAK).length).toBeGreaterThanOrEqual(Math.ceil(codePoints(key) / 20));
      // A short key reads as before.
      expect(short).toBe('a/one.txt');
      // Copying from clients other than Outlook gives the key without invisible characters.
      const outsideMso = html.replace(/<!--\[if mso\]>[\s\S]*?<!\[endif\]-->/g, '');
      expect(outsideMso).not.toMatch(/\u200B|&#8203;|&#x200B;/i);
      // Every link is exactly the URL, escaped as before; no break markup inside an attribute.
      const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
      const urls = [
        ...data.objects.flatMap((object) => (object.downloadUrl === undefined ? [] : [object.downloadUrl])),
        'https://status.example.com/r/req-42',
      ];
      for (const href of hrefs) expect(urls.map(escape)).toContain(href);
      for (const url of urls) expect(hrefs).toContain(escape(url));
      expect(html).not.toMatch(/="[^"]*<wbr>/);
    },
  );

  it.each(locales)('%s: the sentence naming one object lets a long name break too', (locale) => {
    const key = `exports/${'quarterly-ledger-'.repeat(10)}final.csv`;
    const html = unbroken(renderer.render(dataFor('completed', locale, [key])).html);
    const name = key.slice('exports/'.length);
    expect(html).toMatch(/<strong[^>]*>quarterly-ledger-qua<wbr>/);
    const strong = /<strong[^>]*>([\s\S]*?)<\/strong>/.exec(html)?.[1] ?? '';
    expect(strong.split(BREAK).join('')).toBe(escape(name));
  });
});
