/**
 * What is done to data before rendering and to each part after it, so that no template, built-in
 * or an operator's, can produce an unsafe header or a line a mail server would break.
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

/** User text made safe for any part: CRLF/CR → LF, tab → space, other controls → U+FFFD. */
export function cleanText(value: string): string {
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

/**
 * The text part's hard limit: RFC 5322 §2.1.1 allows 998 octets per line, CRLF excluded, whatever
 * the characters (`ü` is 2 octets in UTF-8, `日` 3, `😀` 4).
 *
 * Why thaw folds here rather than leaving long lines to a transfer encoding: quoted-printable
 * (RFC 2045 §6.7) would carry a line of any length in soft-broken 76-character pieces that the
 * reader's client joins again, so even a long URL would arrive whole and clickable. But thaw sends
 * SES v2 `Content.Simple`, and SES builds that MIME message itself; its API reference documents no
 * Content-Transfer-Encoding for Simple bodies (in practice it encodes them; nothing promises it).
 * Text that is already within 998 octets per line is valid under any encoding, 7bit and 8bit
 * included. Choosing the encoding ourselves would mean `Content.Raw` and building the MIME in
 * thaw: a larger change than one part's line length.
 */
export const TEXT_MAX_LINE_OCTETS = 998;

/** Where prose in the text part wraps: RFC 5322 §2.1.1 asks for 78; 76 leaves room for quoting. */
export const TEXT_WRAP_COLUMN = 76;

/** Widest indent a wrapped line keeps under its first line; deeper ones start at the margin. */
const MAX_HANGING_INDENT = 24;

/** Leading spaces and a list marker (`- `, `* `, `• `, `1. `, `2) `): continuations indent under it. */
const LINE_PREFIX = /^ *(?:(?:[-*•]|\d{1,3}[.)]) +)?/;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const octets = (value: string): number => Buffer.byteLength(value, 'utf8');

/** Characters as a reader counts them (code points: a surrogate pair is one). */
function width(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/**
 * The text part, readable and within the SMTP line limit:
 *
 * - Lines wider than 76 characters wrap at spaces (not at no-break spaces, nor between a number
 *   and the word after it), greedily; a continuation is indented under the text of its list item
 *   or indented line.
 * - User data is never wrapped inside: a word (a key, a URL) wider than a line gets a line of its
 *   own instead, and each value in `unbreakable` (keys and names that contain spaces) is one word
 *   wherever it appears in a line.
 * - A word over 998 octets is broken without a space: after a `/`, `&` or `?` if one falls in the
 *   second half of the line, else between two characters, never inside a character (surrogate
 *   pair, UTF-8 sequence, or base letter and its accents), a `%XX` escape, or next to a space
 *   (which a reader could not see). Joining its lines, without their indent, gives it back.
 * - A URL over 998 octets: a presigned URL with a session token (an ECS or EC2 role) is ~1,600
 *   characters, ~4,600 with a long key of multi-byte characters, which S3 percent-encodes at three
 *   characters a byte. It is broken as above, one piece per line, inside `<` and `>`, the
 *   delimiters RFC 3986 Appendix C gives for a URI broken across lines of plain text. Most
 *   clients then link only its first line; the HTML part's link stays whole, and with
 *   PUBLIC_BASE_URL the text carries short `/d/<token>` links that are never broken.
 */
export function foldText(text: string, unbreakable: readonly string[] = []): string {
  let kept: KeptValues | undefined;
  return text
    .split('\n')
    .map((line) => {
      // 76 UTF-16 units are at most 76 characters and 228 octets: nothing to do, nothing to scan.
      if (line.length <= TEXT_WRAP_COLUMN) return line;
      kept ??= keptValues(unbreakable);
      return foldLine(line, kept).join('\n');
    })
    .join('\n');
}

/**
 * The values worth finding in a line, those with a space inside (others are one word anyway), by
 * their last word. A value is found where a word of the line starts with its last word, followed by
 * nothing or punctuation; not where a template glues letters to it (`{{objectName}}s`).
 */
type KeptValues = ReadonlyMap<string, readonly string[]>;

function keptValues(values: readonly string[]): KeptValues {
  const kept = new Map<string, Set<string>>();
  for (const value of values) {
    // As templates leave them: a value may span lines, and line ends were trimmed (`tidyText`).
    for (const part of value.split('\n')) {
      const trimmed = part.replace(/^ +| +$/g, '');
      const space = trimmed.lastIndexOf(' ');
      if (space === -1) continue;
      const last = trimmed.slice(space + 1);
      kept.set(last, (kept.get(last) ?? new Set()).add(trimmed));
    }
  }
  return new Map([...kept].map(([last, found]) => [last, [...found]]));
}

function foldLine(line: string, kept: KeptValues): string[] {
  if (width(line) <= TEXT_WRAP_COLUMN) return [line];
  let prefix = LINE_PREFIX.exec(line)?.[0] ?? '';
  if (prefix.length > MAX_HANGING_INDENT) prefix = '';
  const indent = ' '.repeat(prefix.length);
  const lines: string[] = [];
  let current = prefix;
  let currentWidth = prefix.length;
  let empty = true;
  for (const word of wordsOf(line.slice(prefix.length).trimStart(), kept)) {
    const wordWidth = width(word);
    if (!empty && currentWidth + 1 + wordWidth <= TEXT_WRAP_COLUMN) {
      current += ` ${word}`;
      currentWidth += 1 + wordWidth;
      continue;
    }
    if (!empty) {
      lines.push(current);
      current = indent;
      currentWidth = indent.length;
    }
    empty = false;
    if (octets(current) + octets(word) <= TEXT_MAX_LINE_OCTETS) {
      current += word;
      currentWidth += wordWidth;
      continue;
    }
    const url = /^https?:\/\//i.test(word);
    const pieces = breakWord(word, TEXT_MAX_LINE_OCTETS - octets(prefix) - (url ? 2 : 0));
    if (url) pieces[0] = `<${pieces[0] ?? ''}`;
    if (url) pieces[pieces.length - 1] = `${pieces.at(-1) ?? ''}>`;
    const last = pieces.pop() ?? '';
    lines.push(...pieces.map((piece, index) => (index === 0 ? current : indent) + piece));
    current = (pieces.length === 0 ? current : indent) + last;
    currentWidth = width(current);
  }
  lines.push(current);
  return lines;
}

/** The line's words: split at runs of spaces, except after a number or inside a kept value. */
function wordsOf(body: string, kept: KeptValues): string[] {
  const ranges: Array<readonly [number, number]> = [];
  if (kept.size > 0) {
    for (const match of body.matchAll(/[^ ]+/g)) {
      const word = match[0];
      // The word, and the word without each trailing punctuation mark in turn ("2.pdf)," → "2.pdf)").
      for (let end = word.length; end > 0; end -= 1) {
        for (const value of kept.get(end === word.length ? word : word.slice(0, end)) ?? []) {
          const at = match.index + end - value.length;
          if (at >= 0 && body.startsWith(value, at)) ranges.push([at, at + value.length]);
        }
        if (/[\p{L}\p{N}]/u.test(word[end - 1] ?? '')) break;
      }
    }
  }
  const words: string[] = [];
  let start = 0;
  for (const match of body.matchAll(/ +/g)) {
    const from = match.index;
    const to = from + match[0].length;
    // A number keeps the word after it ("2 Tagen", "1.2 GB", "12:00 PM"), as typesetters do.
    if (to - from === 1 && /\d/.test(body[from - 1] ?? '')) continue;
    if (ranges.some(([first, end]) => from < end && to > first)) continue;
    if (from > start) words.push(body.slice(start, from));
    start = to;
  }
  if (start < body.length) words.push(body.slice(start));
  return words;
}

/** Pieces of at most `budget` octets (see `foldText`); joined, they are `word`. */
function breakWord(word: string, budget: number): string[] {
  // Graphemes keep a letter with its accents; one longer than a line (a letter with hundreds of
  // combining marks) falls back to code points, which are never split.
  const units = Array.from(graphemes.segment(word), ({ segment }) =>
    octets(segment) <= budget ? [segment] : Array.from(segment),
  ).flat();
  const sizes = units.map(octets);
  const pieces: string[] = [];
  let start = 0;
  while (start < units.length) {
    let end = start;
    let bytes = 0;
    while (end < units.length && bytes + (sizes[end] ?? 0) <= budget) bytes += sizes[end++] ?? 0;
    const cut = end === units.length ? end : chooseCut(units, sizes, start, end, budget);
    pieces.push(units.slice(start, cut).join(''));
    start = cut;
  }
  return pieces;
}

/** Where to end a piece of `units[start..end)` that cannot hold the rest: see `foldText`. */
function chooseCut(
  units: readonly string[],
  sizes: readonly number[],
  start: number,
  end: number,
  budget: number,
): number {
  let fallback: number | undefined;
  let bytes = sizes.slice(start, end).reduce((sum, size) => sum + size, 0);
  for (let cut = end; cut > start; cut -= 1) {
    const before = units[cut - 1] ?? '';
    const after = units[cut] ?? '';
    const safe = !/\s$/.test(before) && !/^\s/.test(after) && before !== '%' && units[cut - 2] !== '%';
    if (safe && /[/&?]$/.test(before) && bytes >= budget / 2) return cut;
    if (safe) fallback ??= cut;
    bytes -= sizes[cut - 1] ?? 0;
  }
  return fallback ?? end;
}

/**
 * HTML clients wrap a long key with `word-break` / `overflow-wrap`; Outlook for Windows renders with
 * Word, which ignores both, so one long key widens the whole email past its 600 pixels. A run of
 * more than `KEY_RUN_MAX` characters without a space (40 fit the 536-pixel column) is cut after
 * every `/` and every `KEY_BREAK_EVERY` characters, and the pieces joined with `KEY_BREAK_HTML`:
 *
 * - `<wbr>` is a break opportunity that copying leaves out: a key copied from the email is the key.
 * - Word is not known to honour `<wbr>`, but it breaks at a zero-width space (U+200B). That one is
 *   copied with the text, invisibly, and a key with one inside names another object. So it is given
 *   inside `<!--[if mso]>`, a comment every other client skips: only Outlook for Windows shows (and
 *   copies) it. The text part and the status page carry every key exactly.
 */
export const KEY_RUN_MAX = 40;
export const KEY_BREAK_EVERY = 20;
export const KEY_BREAK_HTML = '<wbr><!--[if mso]>&#8203;<![endif]-->';

/** A key in display pieces (see `KEY_BREAK_HTML`), whole characters each; joined, the key. */
export function keySegments(key: string): string[] {
  if (key.length <= KEY_RUN_MAX) return [key];
  const pieces: string[] = [''];
  for (const part of key.split(/([ \n]+)/)) {
    if (width(part) <= KEY_RUN_MAX || /^[ \n]/.test(part)) {
      pieces[pieces.length - 1] += part;
      continue;
    }
    let count = 0; // characters since the last break opportunity
    for (const { segment } of graphemes.segment(part)) {
      const size = width(segment);
      if (count > 0 && count + size > KEY_BREAK_EVERY) {
        pieces.push('');
        count = 0;
      }
      pieces[pieces.length - 1] += segment;
      count += size;
      if (segment === '/') {
        pieces.push('');
        count = 0;
      }
    }
  }
  const filled = pieces.filter((piece) => piece !== '');
  return filled.length > 0 ? filled : [''];
}
