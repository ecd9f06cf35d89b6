import type Handlebars from 'handlebars';
import { cached } from './intl-cache';
import { KEY_BREAK_HTML, keySegments } from './key-breaks';

export { resolveLocale, resolveTimeZone, textDirection } from './template-locale';

/**
 * Handlebars helpers for email and page templates. Every one formats through Intl with the locale
 * and time zone of the part being rendered, which the renderer passes as Handlebars data (`@locale`,
 * `@timeZone`, `@now`), so templates never name a locale themselves:
 *
 * - `{{formatDate iso}}` → "Monday, November 30, 2026 at 4:00 PM PST"; `style="date"|"short"|"time"`.
 * - `{{fromNow iso}}` → "in 3 hours" / "vor 2 Tagen", relative to `@now` (the data's `now`).
 * - `{{fileSize bytes}}` → "1.2 GB" / "1,2 GB" (decimal units, as the S3 console prints them).
 * - `{{duration ms}}` → "3 hours" / "3 Stunden"; `{{durationRange minMs maxMs}}` → "3–5 hours". Words
 *   such as "about" or "typically" belong to the template, so every locale phrases them its own way.
 * - `{{formatNumber n}}`, `{{plural n one="# file" other="# files"}}` (Intl.PluralRules; `#` is the
 *   formatted number), `{{select value Standard="…" other="…"}}`, `{{eq a b}}`, `{{basename key}}`.
 * - `{{breakable key}}` (HTML parts only) → the key, escaped, with break opportunities a long key
 *   needs in Outlook for Windows, which ignores CSS `word-break` (see `KEY_BREAK_HTML`).
 *
 * Helpers never throw on odd input: a missing or malformed value renders as an empty string (dates
 * that do not parse render as given), so one bad field cannot stop an email.
 */

/** What the renderer puts in Handlebars' data frame for each part. */
export interface RenderSettings {
  /** A locale Intl supports, e.g. `de-AT`. */
  readonly locale: string;
  /** An IANA time zone Intl accepts, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** ISO-8601 reference time for relative phrases. */
  readonly now: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

function settingsOf(options: Handlebars.HelperOptions): RenderSettings {
  const data = (options?.data ?? {}) as Partial<RenderSettings>;
  return {
    locale: typeof data.locale === 'string' ? data.locale : 'en',
    timeZone: typeof data.timeZone === 'string' ? data.timeZone : 'UTC',
    now: typeof data.now === 'string' ? data.now : '',
  };
}

function toDate(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function toNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const DATE_STYLES: Readonly<Record<string, Intl.DateTimeFormatOptions>> = {
  full: {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  },
  date: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
  short: { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' },
  time: { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' },
};

export function formatDate(value: unknown, style: string, settings: RenderSettings): string {
  const date = toDate(value);
  if (date === null) return typeof value === 'string' ? value : '';
  const { locale, timeZone } = settings;
  const chosen = DATE_STYLES[style] ? style : 'full';
  const format = cached(`date|${locale}|${timeZone}|${chosen}`, () => {
    return new Intl.DateTimeFormat(locale, { ...DATE_STYLES[chosen], timeZone });
  });
  return format.format(date);
}

const SIZE_UNITS = ['kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;

export function fileSize(bytes: unknown, locale: string): string {
  const value = toNumber(bytes);
  if (value === null || value < 0) return '';
  if (value < 1000) {
    const format = cached(`bytes|${locale}`, () => {
      return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte', unitDisplay: 'long' });
    });
    return format.format(value);
  }
  let amount = value / 1000;
  let index = 0;
  while (amount >= 999.95 && index < SIZE_UNITS.length - 1) {
    amount /= 1000;
    index += 1;
  }
  const unit = SIZE_UNITS[index] ?? 'petabyte';
  const digits = amount < 10 ? 1 : 0;
  const format = cached(`size|${locale}|${unit}|${digits}`, () => {
    return new Intl.NumberFormat(locale, {
      style: 'unit',
      unit,
      unitDisplay: 'short',
      maximumFractionDigits: digits,
    });
  });
  return format.format(amount);
}

/**
 * The unit a duration reads best in: minutes under 90 minutes, hours up to 3 days (S3 states its
 * windows as "within 48 hours"; and "48 Stunden" needs no case ending after "innerhalb von",
 * where "2 Tage" would), else days.
 */
function durationUnit(ms: number): { unit: 'minute' | 'hour' | 'day'; size: number } {
  if (ms < 90 * MINUTE_MS) return { unit: 'minute', size: MINUTE_MS };
  if (ms < 72 * HOUR_MS) return { unit: 'hour', size: HOUR_MS };
  return { unit: 'day', size: DAY_MS };
}

function unitFormat(locale: string, unit: string): Intl.NumberFormat {
  return cached(`unit|${locale}|${unit}`, () => {
    return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' });
  });
}

export function formatDuration(ms: unknown, locale: string): string {
  const value = toNumber(ms);
  if (value === null || value < 0) return '';
  const { unit, size } = durationUnit(value);
  return unitFormat(locale, unit).format(Math.max(1, Math.round(value / size)));
}

export function formatDurationRange(minMs: unknown, maxMs: unknown, locale: string): string {
  const min = toNumber(minMs);
  const max = toNumber(maxMs);
  if (min === null || max === null || min < 0 || max < min) return formatDuration(maxMs, locale);
  const { unit, size } = durationUnit(max);
  const low = Math.round(min / size);
  const high = Math.max(1, Math.round(max / size));
  if (low >= high) return unitFormat(locale, unit).format(high);
  // ICU's range formatting costs ~50 us a call, and the few ranges an email can name repeat for
  // every email of a tier: the text is remembered with the Intl objects.
  return cached(`range|${locale}|${unit}|${low}|${high}`, () =>
    unitFormat(locale, unit).formatRange(low, high),
  );
}

export function fromNow(value: unknown, settings: RenderSettings): string {
  const date = toDate(value);
  const now = toDate(settings.now);
  if (date === null || now === null) return '';
  const diff = date.getTime() - now.getTime();
  const distance = Math.abs(diff);
  // `numeric: 'always'`: "in 30 hours" is honest, "tomorrow" computed from a duration is not.
  const format = cached(`relative|${settings.locale}`, () => {
    return new Intl.RelativeTimeFormat(settings.locale, { numeric: 'always' });
  });
  if (distance < 90 * MINUTE_MS) return format.format(Math.round(diff / MINUTE_MS), 'minute');
  if (distance < 36 * HOUR_MS) return format.format(Math.round(diff / HOUR_MS), 'hour');
  return format.format(Math.round(diff / DAY_MS), 'day');
}

export function formatNumber(value: unknown, locale: string): string {
  const number = toNumber(value);
  if (number === null) return '';
  return cached(`number|${locale}`, () => new Intl.NumberFormat(locale)).format(number);
}

/** The last non-empty path segment of a key (`photos/2024/a.jpg` → `a.jpg`; `logs/` → `logs`). */
export function basename(key: unknown): string {
  if (typeof key !== 'string') return '';
  const segments = key.split('/').filter((segment) => segment !== '');
  return segments[segments.length - 1] ?? key;
}

function plural(count: unknown, options: Handlebars.HelperOptions): string {
  const value = toNumber(count);
  if (value === null) return '';
  const { locale } = settingsOf(options);
  const hash = (options?.hash ?? {}) as Record<string, unknown>;
  const category = cached(`plural|${locale}`, () => new Intl.PluralRules(locale)).select(value);
  const phrase = hash[category] ?? hash.other;
  return typeof phrase === 'string' ? phrase.replaceAll('#', formatNumber(value, locale)) : '';
}

function select(value: unknown, options: Handlebars.HelperOptions): unknown {
  const hash = (options?.hash ?? {}) as Record<string, unknown>;
  if (typeof value === 'string' && Object.hasOwn(hash, value)) return hash[value];
  return hash.other ?? value;
}

/** Registers every helper above on one (isolated) Handlebars environment. */
export function registerTemplateHelpers(env: typeof Handlebars): void {
  env.registerHelper({
    formatDate: (value: unknown, options: Handlebars.HelperOptions) => {
      const style = options?.hash?.style;
      return formatDate(value, typeof style === 'string' ? style : 'full', settingsOf(options));
    },
    fromNow: (value: unknown, options: Handlebars.HelperOptions) => fromNow(value, settingsOf(options)),
    fileSize: (bytes: unknown, options: Handlebars.HelperOptions) =>
      fileSize(bytes, settingsOf(options).locale),
    duration: (ms: unknown, options: Handlebars.HelperOptions) => {
      return formatDuration(ms, settingsOf(options).locale);
    },
    durationRange: (minMs: unknown, maxMs: unknown, options: Handlebars.HelperOptions) => {
      return formatDurationRange(minMs, maxMs, settingsOf(options).locale);
    },
    formatNumber: (value: unknown, options: Handlebars.HelperOptions) => {
      return formatNumber(value, settingsOf(options).locale);
    },
    plural,
    select,
    eq: (left: unknown, right: unknown) => left === right,
    basename: (key: unknown) => basename(key),
    breakable: (key: unknown) => {
      if (typeof key !== 'string') return '';
      const pieces = keySegments(key).map((piece) => env.Utils.escapeExpression(piece));
      return new env.SafeString(pieces.join(KEY_BREAK_HTML));
    },
  });
}
