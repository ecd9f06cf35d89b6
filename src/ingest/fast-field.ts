/**
 * Helpers of the parsers' fast paths (sns-message.ts, s3-event.ts): they accept only what the zod
 * schemas surely accept and leave everything else to the schema path, whose errors are the ones
 * callers see.
 */

/** Marks a field the fast path will not judge: the schema path decides. */
export const UNSURE: unique symbol = Symbol('unsure');

/**
 * Reads a field the way zod's z.object does (`input[name]`, present when `name in input`) but
 * answers only the plain case: an own field, or one that is nowhere (`undefined`). A name found
 * only on the prototype chain, or an own field holding `undefined` (which zod keeps as a present
 * key), is UNSURE.
 */
export function fastField(value: object, name: string): unknown {
  if (Object.hasOwn(value, name)) {
    const field = (value as Record<string, unknown>)[name];
    return field === undefined ? UNSURE : field;
  }
  return name in value ? UNSURE : undefined;
}

/**
 * A string of 1 to `max` UTF-16 units. zod's `.min(1).max(max)` counts code points, which are never
 * more than units, so whatever passes here passes zod; a longer string takes the schema path.
 */
export function boundedString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= max;
}
