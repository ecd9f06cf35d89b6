/**
 * How many of a request's objects an email names. A request may hold 1,000 objects with keys of up
 * to 1,024 bytes, and without PUBLIC_BASE_URL its ready email carries a presigned URL per object
 * (1,600-4,600 characters). Listed whole, that HTML part runs to megabytes; Gmail shows about the
 * first 102 KB of an HTML part and hides the rest behind "[Message clipped]", footer included. So
 * an email names its first objects, at most `EMAIL_LIST_MAX_OBJECTS` and as many as keep each part
 * within `EMAIL_PART_MAX_BYTES`, and says how many more there are; the status page lists them all.
 */

/** Most objects an email names; the rest are counted ("…and 975 more files"). */
export const EMAIL_LIST_MAX_OBJECTS = 25;

/**
 * Largest HTML part, and largest text part, in bytes of UTF-8. Gmail clips an HTML part past about
 * 102 KB; some measure it after the transfer encoding, and base64 adds a third (70 KB → 95 KB).
 * The text part is not clipped, but it names the same objects as the HTML and gets the same bound.
 */
export const EMAIL_PART_MAX_BYTES = 70_000;

export interface RenderedBody {
  readonly html: string;
  readonly text: string;
}

const fits = ({ html, text }: RenderedBody): boolean =>
  Buffer.byteLength(html, 'utf8') <= EMAIL_PART_MAX_BYTES &&
  Buffer.byteLength(text, 'utf8') <= EMAIL_PART_MAX_BYTES;

/**
 * The body rendered with as many objects named as fit: the first `EMAIL_LIST_MAX_OBJECTS` (or all
 * of `count`) when they do, the usual case and one rendering; else the most that do, found by
 * halving (a part grows with each object named). At least one object is named. When even one
 * is too many, the list is not what makes the email large (an operator's template listing every
 * object itself): it is rendered as the first attempt was, rather than cut for nothing.
 */
export function renderWithinBudget<T extends RenderedBody>(count: number, render: (listed: number) => T): T {
  const most = Math.min(count, EMAIL_LIST_MAX_OBJECTS);
  const full = render(most);
  if (most <= 1 || fits(full)) return full;
  let best = render(1);
  if (!fits(best)) return full;
  let low = 2;
  let high = most - 1;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const attempt = render(middle);
    if (fits(attempt)) {
      best = attempt;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}
