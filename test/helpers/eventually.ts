/**
 * Polls until `check` stops throwing (or returns true), for things a background worker does.
 * The deadline only bounds a failing test; nothing is asserted about how long it took.
 */
export async function eventually<T>(check: () => Promise<T>, deadlineMs = 15_000, everyMs = 25): Promise<T> {
  const until = Date.now() + deadlineMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false) return value;
      lastError = new Error('condition still false');
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
