import { cached } from './intl-cache';

/** Canonical BCP 47 tag without extensions (`PT-br` → `pt-BR`), or null if it is not one. */
const canonicalTags = new Map<string, string | null>();

export function canonicalLocale(tag: string): string | null {
  let canonical = canonicalTags.get(tag);
  if (canonical !== undefined) return canonical;
  try {
    canonical = new Intl.Locale(tag).baseName;
  } catch {
    canonical = null;
  }
  // Tags come from request data; a small bound keeps a flood of odd ones from growing memory.
  if (canonicalTags.size >= 1000) canonicalTags.clear();
  canonicalTags.set(tag, canonical);
  return canonical;
}

/** Where to look, most specific first: `pt-BR` → [`pt-BR`, `pt`, `en`]; invalid tags → [`en`]. */
export function localeChain(tag: string): string[] {
  const canonical = canonicalLocale(tag);
  const chain: string[] = [];
  const subtags = canonical === null ? [] : canonical.split('-');
  for (let length = subtags.length; length > 0; length -= 1) chain.push(subtags.slice(0, length).join('-'));
  if (!chain.includes('en')) chain.push('en');
  return chain;
}

/** The canonical base locale Intl can format for (`pt-br` → `pt-BR`), or `en` for anything else. */
export function resolveLocale(tag: string): string {
  return cached(`locale:${tag}`, () => {
    try {
      const base = new Intl.Locale(tag).baseName;
      return Intl.DateTimeFormat.supportedLocalesOf([base]).length > 0 ? base : 'en';
    } catch {
      return 'en';
    }
  });
}

/** The IANA name Intl accepts for `timeZone`, or `UTC` for anything it rejects. */
export function resolveTimeZone(timeZone: string): string {
  // Building a DateTimeFormat per email was 7 % of a worker's CPU: remember the answer.
  return cached(`zone:${timeZone}`, () => {
    try {
      return new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
    } catch {
      return 'UTC';
    }
  });
}

/** Text direction for the HTML `dir` attribute (Node 20 exposes `textInfo` as a property). */
export function textDirection(locale: string): 'ltr' | 'rtl' {
  return cached(`dir:${locale}`, () => {
    const info = (new Intl.Locale(locale) as { textInfo?: { direction?: string } }).textInfo;
    return info?.direction === 'rtl' ? 'rtl' : 'ltr';
  });
}

/**
 * Dates and numbers follow the recipient's own locale when the template is in their language
 * (a de-AT reader of `de` templates gets Austrian dates), else the template's (a `fr` reader who
 * fell back to English text gets English dates, not French ones inside English sentences).
 */
export function formattingLocale(requested: string, templateLocale: string): string {
  const recipient = canonicalLocale(requested);
  const sameLanguage =
    recipient !== null && (recipient === templateLocale || recipient.startsWith(`${templateLocale}-`));
  return resolveLocale(sameLanguage ? recipient : templateLocale);
}
