/**
 * A field of a parsed JSON value, read only if the value itself holds it. Names come from
 * messages: `value[name]` or `name in value` would also find what Object.prototype holds
 * (`constructor`, `toString`, `__proto__`).
 */
export function ownField(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, name)) return undefined;
  return (value as Record<string, unknown>)[name];
}
