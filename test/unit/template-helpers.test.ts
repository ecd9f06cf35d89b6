import Handlebars from 'handlebars';
import {
  basename,
  fileSize,
  formatDate,
  formatDuration,
  formatDurationRange,
  fromNow,
  registerTemplateHelpers,
  resolveLocale,
  resolveTimeZone,
} from '../../src/templating/template-helpers';
import { localeChain } from '../../src/templating/template-locale';

const HOUR = 3_600_000;
const NOW = '2026-11-28T10:00:00Z';

describe('template helpers', () => {
  it.each([
    [0, 'en', '0 bytes'],
    [999, 'en', '999 bytes'],
    [1000, 'en', '1 kB'],
    [1_234_567_890, 'en', '1.2 GB'],
    [48_318_382_080, 'en', '48 GB'],
    [5e15, 'en', '5 PB'],
    [1_234_567_890, 'de', '1,2\u00a0GB'], // de puts a no-break space before the unit
  ])('fileSize(%d, %s) is %s', (bytes, locale, expected) => {
    expect(fileSize(bytes, locale)).toBe(expected);
  });

  it('fileSize renders nothing for a missing or negative size', () => {
    expect(fileSize(undefined, 'en')).toBe('');
    expect(fileSize(-1, 'en')).toBe('');
  });

  it.each([
    [5 * 60_000, 'en', '5 minutes'],
    [3 * HOUR, 'en', '3 hours'],
    [3 * HOUR, 'de', '3 Stunden'],
    [48 * HOUR, 'de', '48 Stunden'],
    [5 * 24 * HOUR, 'en', '5 days'],
  ])('duration(%d, %s) is %s', (ms, locale, expected) => {
    expect(formatDuration(ms, locale)).toBe(expected);
  });

  it('durationRange uses one unit for both ends', () => {
    expect(formatDurationRange(3 * HOUR, 5 * HOUR, 'en')).toBe('3–5 hours');
    expect(formatDurationRange(60_000, 5 * 60_000, 'de')).toBe('1–5 Minuten');
    expect(formatDurationRange(12 * HOUR, 12 * HOUR, 'en')).toBe('12 hours');
  });

  it('fromNow is relative to the data time, not the clock', () => {
    const settings = { locale: 'en', timeZone: 'UTC', now: NOW };
    expect(fromNow('2026-11-28T13:00:00Z', settings)).toBe('in 3 hours');
    expect(fromNow('2026-11-26T10:00:00Z', settings)).toBe('2 days ago');
    expect(fromNow('2026-11-28T10:20:00Z', { ...settings, locale: 'de' })).toBe('in 20 Minuten');
    expect(fromNow('not a date', settings)).toBe('');
  });

  it('formatDate shows the time zone and keeps unparseable input as given', () => {
    const la = { locale: 'en', timeZone: 'America/Los_Angeles', now: NOW };
    expect(formatDate('2026-12-01T00:00:00Z', 'full', la)).toBe('Monday, November 30, 2026 at 4:00 PM PST');
    expect(formatDate('2026-12-01T00:00:00Z', 'short', la)).toBe('Nov 30, 4:00 PM PST');
    expect(formatDate('2026-12-01T00:00:00Z', 'date', la)).toBe('Monday, November 30, 2026');
    expect(formatDate('soon', 'full', la)).toBe('soon');
  });

  it('resolves bad locales and time zones to en and UTC', () => {
    expect(resolveLocale('pt-br')).toBe('pt-BR');
    expect(resolveLocale('de-DE-u-ca-buddhist')).toBe('de-DE');
    expect(resolveLocale('no such locale')).toBe('en');
    expect(resolveTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(resolveTimeZone('Mars/Olympus_Mons')).toBe('UTC');
  });

  it('builds the locale fallback chain', () => {
    expect(localeChain('pt-BR')).toEqual(['pt-BR', 'pt', 'en']);
    expect(localeChain('zh-hant-tw')).toEqual(['zh-Hant-TW', 'zh-Hant', 'zh', 'en']);
    expect(localeChain('en-GB')).toEqual(['en-GB', 'en']);
    expect(localeChain('%%')).toEqual(['en']);
  });

  it('basename takes the last non-empty path segment', () => {
    expect(basename('photos/2024/a.jpg')).toBe('a.jpg');
    expect(basename('logs/')).toBe('logs');
    expect(basename('plain')).toBe('plain');
  });

  describe('in a template', () => {
    const env = Handlebars.create();
    registerTemplateHelpers(env);
    const render = (source: string, context: object, locale = 'en'): string =>
      env.compile(source)(context, { data: { locale, timeZone: 'UTC', now: NOW } });

    it('plural picks the category with Intl.PluralRules and formats #', () => {
      const source = '{{plural n one="# file" other="# files"}}';
      expect(render(source, { n: 1 })).toBe('1 file');
      expect(render(source, { n: 1000 })).toBe('1,000 files');
      const polish = '{{plural n one="# plik" few="# pliki" many="# plików" other="# pliku"}}';
      expect(render(polish, { n: 3 }, 'pl')).toBe('3 pliki');
      expect(render(polish, { n: 5 }, 'pl')).toBe('5 plików');
    });

    it('select, eq and formatNumber', () => {
      expect(render('{{select tier Standard="Std" other="?"}}', { tier: 'Standard' })).toBe('Std');
      expect(render('{{select tier Standard="Std" other="?"}}', { tier: 'constructor' })).toBe('?');
      expect(render('{{#if (eq a "x")}}yes{{else}}no{{/if}}', { a: 'x' })).toBe('yes');
      expect(render('{{formatNumber n}}', { n: 1234.5 }, 'de')).toBe('1.234,5');
    });

    it('escapes what helpers return in HTML templates', () => {
      expect(render('{{basename key}}', { key: 'a/<b>.txt' })).toBe('&lt;b&gt;.txt');
    });

    it('breakable escapes a key and lets a long one break after "/" and every 20 characters', () => {
      const mark = '<wbr><!--[if mso]>&#8203;<![endif]-->';
      expect(render('{{breakable key}}', { key: 'a/<b>.txt' })).toBe('a/&lt;b&gt;.txt');
      expect(render('{{breakable key}}', { key: 'exports/<2026>/x&y-quarterly-ledger-final.csv' })).toBe(
        ['exports/', '&lt;2026&gt;/', 'x&amp;y-quarterly-ledger', '-final.csv'].join(mark),
      );
      expect(render('[{{breakable}}][{{breakable n}}]', { n: 3 })).toBe('[][]');
    });

    it('never throws on missing arguments', () => {
      expect(render('[{{formatDate}}][{{fileSize}}][{{duration}}][{{plural}}][{{fromNow}}]', {})).toBe(
        '[][][][][]',
      );
    });
  });
});
