/**
 * What is done to data before rendering and to each part after it, so that no template, built-in
 * or an operator's, can produce an unsafe header or a line a mail server would break. An email's
 * text part is folded in `notify/text-fold.ts`; long keys get their HTML break points in
 * `key-breaks.ts`.
 */

/** Longest subject kept, in characters (code points); longer ones end with an ellipsis. */
export const SUBJECT_MAX_LENGTH = 200;

/**
 * Longest HTML line kept. SMTP allows 998 octets per line (RFC 5322 §2.1.1) and some servers fold
 * or cut longer ones mid-tag; 900 leaves room. Only a line that is nothing but one quoted attribute
 * (a presigned URL in `href="…"`, ~1,300 characters) may stay longer: it has no safe break.
 */
export const HTML_MAX_LINE_LENGTH = 900;

/**
 * HTML's own whitespace (space, tab, LF, FF, CR). Not `\s`: a no-break or em space from user data is
 * text that renders differently from a line break, so it is neither trimmed nor broken at.
 */
const HTML_SPACE_AT_ENDS = /^[ \t\n\f\r]+|[ \t\n\f\r]+$/g;

function isHtmlSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\f' || char === '\r';
}

// Control characters other than \n, Unicode line separators, and bidi embeddings/overrides/isolates
// (which can make "invoice\u202Egpj.exe" display as "invoiceexe.jpg").
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_TEXT = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_IN_SUBJECT = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

// Any character cleanText may change (the subject's set: CR, tab and LF included): most strings
// have none and are kept. Without the global flag, so `test` keeps no position between calls.
const NEEDS_CLEANING = new RegExp(UNSAFE_IN_SUBJECT.source);

/** User text made safe for any part: CRLF/CR → LF, tab → space, other controls → U+FFFD. */
export function cleanText(value: string): string {
  if (!NEEDS_CLEANING.test(value)) return value;
  return value.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(UNSAFE_IN_TEXT, '\uFFFD');
}

/** `cleanText` applied to every string inside plain objects and arrays. */
export function cleanStrings<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => cleanStrings(item)) as T;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => [key, cleanStrings(item)] as const);
    return Object.fromEntries(entries) as T;
  }
  return value;
}

/**
 * Only http(s) links reach an href, in emails and on the status page; anything else (javascript:,
 * data:) is dropped, not escaped.
 */
export function webUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** One header-safe line: no CR/LF or other controls (no header injection), trimmed, capped. */
export function toSubjectLine(rendered: string): string {
  const line = rendered.replace(UNSAFE_IN_SUBJECT, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(line); // code points, so a cut never splits a surrogate pair
  if (chars.length <= SUBJECT_MAX_LENGTH) return line;
  return `${chars
    .slice(0, SUBJECT_MAX_LENGTH - 1)
    .join('')
    .trimEnd()}…`;
}

/** Plain text: no trailing spaces, at most one blank line in a row, one final newline. */
export function tidyText(rendered: string): string {
  const lines = rendered.split('\n').map((line) => line.trimEnd());
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/**
 * HTML with blank lines and indentation removed (whitespace between lines renders the same, and
 * thaw's templates use no <pre>), then no line longer than `maxLength` where it can be avoided.
 */
export function tidyHtml(rendered: string, maxLength = HTML_MAX_LINE_LENGTH): string {
  const lines = rendered
    .split('\n')
    .map((line) => line.replace(HTML_SPACE_AT_ENDS, ''))
    .filter((line) => line !== '');
  // The usual case (links through /d/:token are short): nothing to break, nothing to scan.
  if (lines.every((line) => line.length <= maxLength)) return `${lines.join('\n')}\n`;
  // One scan over the whole document: whether a line starts inside a tag or an attribute value
  // matters; break points are collected only for the lines that need them.
  const state: ScanState = { mode: 'text', quote: '', inReference: false };
  const output: string[] = [];
  for (const line of lines) {
    if (line.length <= maxLength) {
      scan(line, state);
      output.push(line);
    } else {
      const points: BreakPoint[] = [];
      scan(line, state, points);
      output.push(...breakLine(line, points, maxLength));
    }
    scan('\n', state);
  }
  return `${output.join('\n')}\n`;
}

interface BreakPoint {
  readonly at: number;
  /**
   * `space`: a whitespace character outside attribute values, replaced by a newline.
   * `gap`: between two text characters; `<!--` newline `-->` goes there (renders as nothing).
   */
  readonly kind: 'space' | 'gap';
}

/** Splits one long line at break points that do not change how the HTML renders. */
function breakLine(line: string, points: readonly BreakPoint[], maxLength: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let opened = false; // the previous piece ended by opening an inserted comment
  while (line.length - start + (opened ? 3 : 0) > maxLength) {
    const limit = start + maxLength - (opened ? 3 : 0) - 4;
    const fits = points.filter((point) => point.at > start && point.at <= limit);
    const space = fits.filter((point) => point.kind === 'space').pop();
    const chosen = space ?? fits.pop() ?? points.find((point) => point.at > limit);
    if (chosen === undefined) break; // e.g. one long href: nothing safe to break at
    const prefix = opened ? '-->' : '';
    if (chosen.kind === 'space') {
      pieces.push(prefix + line.slice(start, chosen.at));
      start = chosen.at + 1;
      opened = false;
    } else {
      pieces.push(`${prefix}${line.slice(start, chosen.at)}<!--`);
      start = chosen.at;
      opened = true;
    }
  }
  pieces.push((opened ? '-->' : '') + line.slice(start));
  return pieces;
}

interface ScanState {
  /** `conditional`: an Outlook `<!--[if mso]>…<![endif]-->`, whose spaces are its syntax. */
  mode: 'text' | 'tag' | 'comment' | 'conditional';
  /** The quote character of the attribute value being read, or ''. */
  quote: string;
  /** Inside "&amp;" or "&#x3D;": a comment there would break the reference. */
  inReference: boolean;
}

/**
 * Follows tags, quoted attribute values, comments and character references through `html`,
 * adding the break points it passes to `points` if given. Inside `<title>`, `<style>` or
 * `<script>` a gap would show as text; thaw's layouts keep user data out of those.
 */
function scan(html: string, state: ScanState, points?: BreakPoint[]): void {
  for (let index = 0; index < html.length; index += 1) {
    const char = html[index] ?? '';
    if (state.mode === 'comment' || state.mode === 'conditional') {
      if (html.startsWith('-->', index)) {
        state.mode = 'text';
        index += 2;
      } else if (state.mode === 'comment' && isHtmlSpace(char)) points?.push({ at: index, kind: 'space' });
    } else if (state.mode === 'tag') {
      if (state.quote !== '') {
        if (char === state.quote) state.quote = '';
      } else if (char === '"' || char === "'") state.quote = char;
      else if (char === '>') state.mode = 'text';
      else if (isHtmlSpace(char)) points?.push({ at: index, kind: 'space' });
    } else if (isHtmlSpace(char)) {
      state.inReference = false;
      points?.push({ at: index, kind: 'space' });
    } else {
      if (state.inReference) {
        if (char === ';') {
          state.inReference = false;
          continue;
        }
        if (/[#\w]/.test(char)) continue;
        state.inReference = false;
      }
      const lowSurrogate = char >= '\uDC00' && char <= '\uDFFF';
      if (!lowSurrogate && index > 0) points?.push({ at: index, kind: 'gap' });
      if (char === '&') state.inReference = true;
      else if (char === '<' && /[a-zA-Z/!?]/.test(html[index + 1] ?? '')) {
        if (!html.startsWith('<!--', index)) state.mode = 'tag';
        else {
          state.mode = html.startsWith('<!--[if', index) ? 'conditional' : 'comment';
          index += 3;
        }
      }
    }
  }
}
