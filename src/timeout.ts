/**
 * Races `work` against a timer of `timeoutMs`: settles as `work` does if it is first, otherwise
 * with what `onTimeout` returns (or rejects with what it throws). The timer is always cleared.
 *
 * `work` is not cancelled: it may still settle after losing. A late rejection is swallowed here,
 * because the caller has already been answered by `onTimeout`, and an unhandled rejection would
 * bring the process down.
 */
export async function raceTimeout<T, F = T>(
  work: Promise<T>,
  timeoutMs: number,
  onTimeout: () => F,
): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}
