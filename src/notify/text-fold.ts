/**
 * Folding the plain-text part after rendering: prose wrapped at 76 characters, every line within
 * SMTP's 998 octets, and user data (keys, URLs) never wrapped inside where it can be avoided.
 */

import { graphemes, width } from '../templating/text-units';

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

const octets = (value: string): number => Buffer.byteLength(value, 'utf8');

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
      kept ??= keptValuesOf(unbreakable);
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

// The renderer folds several renderings of one email with the same values (1,000 objects' keys
// and links: see list-budget.ts), so they are looked at once per list, not once per rendering.
const keptCache = new WeakMap<readonly string[], KeptValues>();

function keptValuesOf(values: readonly string[]): KeptValues {
  let kept = keptCache.get(values);
  if (kept === undefined) {
    kept = keptValues(values);
    keptCache.set(values, kept);
  }
  return kept;
}

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

const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

/** Pieces of at most `budget` octets (see `foldText`); joined, they are `word`. */
function breakWord(word: string, budget: number): string[] {
  // Graphemes keep a letter with its accents; one longer than a line (a letter with hundreds of
  // combining marks) falls back to code points, which are never split. Printable ASCII (a URL,
  // percent-encoded) is one grapheme a character, and segmenting 4,600 of them is slow.
  const units = PRINTABLE_ASCII.test(word)
    ? word.split('')
    : Array.from(graphemes.segment(word), ({ segment }) =>
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
