import { graphemes, width } from './text-units';

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

// Printable ASCII is one grapheme a character; segmenting a 1,024-character key is slow, and an
// email with many long keys is rendered more than once (src/notify/list-budget.ts).
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

function charactersOf(part: string): Iterable<string> {
  if (PRINTABLE_ASCII.test(part)) return part;
  return Array.from(graphemes.segment(part), ({ segment }) => segment);
}

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
    for (const segment of charactersOf(part)) {
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
