/** How text is counted where a line or a run has a limit: the text part's folding and key breaks. */

export const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters as a reader counts them (code points: a surrogate pair is one). */
export function width(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}
