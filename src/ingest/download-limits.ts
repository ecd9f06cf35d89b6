import { UnavailableError } from '../errors';

/** How long one budget lasts: SNS_CERT_FETCHES_PER_MINUTE counts downloads in a rolling minute. */
const BUDGET_WINDOW_MS = 60_000;

/**
 * A rolling per-minute allowance of downloads. `take()` answers false once `perMinute` downloads
 * started within the last minute; it remembers at most `perMinute` start times.
 */
export function createDownloadBudget(perMinute: number, now: () => number): { take(): boolean } {
  const started: number[] = [];
  return {
    take() {
      const at = now();
      while (started.length > 0 && (started[0] ?? at) <= at - BUDGET_WINDOW_MS) started.shift();
      if (started.length >= perMinute) return false;
      started.push(at);
      return true;
    },
  };
}

export type DownloadSlots = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * Runs at most `size` downloads at once; the others wait their turn, but no longer than
 * `maxWaitMs`: a message waiting on a slot and then on its own download must still be answered
 * within SNS's 15-second delivery timeout (Amazon SNS Developer Guide, "Amazon SNS message
 * delivery retries"). A wait that runs out is a 503, and SNS retries the message later.
 */
export function createDownloadSlots(size: number, maxWaitMs: number): DownloadSlots {
  let free = size;
  const waiting: (() => void)[] = [];

  function acquire(): Promise<void> {
    if (free > 0) {
      free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(grant), 1);
        reject(new UnavailableError('cert_busy', `no certificate download slot within ${maxWaitMs} ms`));
      }, maxWaitMs);
      waiting.push(grant);
    });
  }

  function release(): void {
    // A slot passes straight to the next waiter, so `free` never rises while anyone waits.
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  }

  return async (work) => {
    await acquire();
    try {
      return await work();
    } finally {
      release();
    }
  };
}
