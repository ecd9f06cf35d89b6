/**
 * Comparing JSON documents AWS gives back with the ones setup wants. AWS re-serialises what it
 * stores (key order, `"a"` vs `["a"]` in policies, defaults it fills in), so text equality would
 * report changes that are not there and break "running setup twice changes nothing".
 */

/** True when both describe the same JSON value, ignoring key order and one-element arrays. */
export function sameJson(left: unknown, right: unknown): boolean {
  return canonical(left) === canonical(right);
}

/**
 * True when every value in `expected` is present and the same in `actual`; objects in `actual` may
 * hold more keys (SNS adds `disableSubscriptionOverrides`, `sicklyRetryPolicy`, ... when it stores
 * a delivery policy).
 */
export function includesJson(actual: unknown, expected: unknown): boolean {
  if (isRecord(expected)) {
    if (!isRecord(actual)) return false;
    return Object.entries(expected).every(([key, value]) => includesJson(actual[key], value));
  }
  return sameJson(actual, expected);
}

/** Parses a JSON attribute AWS returned; undefined when absent or not JSON. */
export function parseJsonAttribute(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    return value.length === 1 ? canonical(value[0]) : `[${value.map(canonical).join(',')}]`;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
