/** One cache for the Intl objects and answers the template engine builds (helpers and locales). */
// Intl constructors are slow next to format(); a 1,000-object list would build thousands of them.
// Keys are few (locale × time zone × options) but time zones come from data, hence the cap.
const cache = new Map<string, unknown>();
export function cached<T>(key: string, build: () => T): T {
  const hit = cache.get(key);
  if (hit !== undefined) return hit as T;
  if (cache.size >= 500) cache.clear();
  const value = build();
  cache.set(key, value);
  return value;
}
