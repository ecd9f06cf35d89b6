/**
 * Polling with a deadline for topology state (replication links, cluster gossip, sentinel
 * discovery): these converge on timers inside Redis, so there is no event to await.
 * On timeout the error names what was awaited and the last reason it was not yet true, which is
 * what you need to tell "slow" from "never going to happen".
 */
export async function waitFor(
  what: string,
  check: () => Promise<true | string>,
  { timeoutMs = 15_000, everyMs = 100 }: { timeoutMs?: number; everyMs?: number } = {},
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = 'not checked yet';
  for (;;) {
    try {
      const result = await check();
      if (result === true) return;
      last = result;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${last}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
