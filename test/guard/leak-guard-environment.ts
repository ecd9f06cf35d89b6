/**
 * Leak guard, part 2: the test environment of every project. After a test file's last afterAll hook
 * (circus's `run_describe_finish` for the root block) it checks
 *   - Redis: no key left under any prefix `uniquePrefix` handed out in this file (SCAN `*<prefix>*`:
 *     thaw wraps the prefix in hash tags, `{<prefix>}:...` and `{<prefix>:<queue>}:...`;
 *     this also covers the prefixes a file derives from its own, such as `<prefix>-a`);
 *   - handles: no more TCP sockets, TCP servers or child processes than when the file started
 *     (process.getActiveResourcesInfo(), compared with the count at run_start), after a grace
 *     period of THAW_GUARD_GRACE_MS (default 1000 ms) for closes already under way.
 * Each finding is reported as an error of the file, exactly as a failing afterAll hook would be.
 * THAW_LEAK_GUARD=off turns both checks off; THAW_LEAK_GUARD=warn prints them without failing.
 */
import type { Circus } from '@jest/types';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment as NodeEnvironment } from 'jest-environment-node';
import { Redis } from 'ioredis';

/** Resource types that a finished test file must not leave behind. */
const GUARDED = ['TCPSocketWrap', 'TCPWrap', 'TCPServerWrap', 'ProcessWrap', 'PipeServerWrap'] as const;
const GRACE_MS = Number(process.env.THAW_GUARD_GRACE_MS ?? 1000);
const MODE = process.env.THAW_LEAK_GUARD ?? 'fail';

type Counts = Record<string, number>;

function countResources(): Counts {
  const counts: Counts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

function excess(now: Counts, baseline: Counts): string[] {
  const found: string[] = [];
  for (const type of GUARDED) {
    const extra = (now[type] ?? 0) - (baseline[type] ?? 0);
    if (extra > 0) found.push(`${extra} × ${type}`);
  }
  return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

export default class LeakGuardEnvironment extends NodeEnvironment {
  private baseline: Counts = {};
  private readonly testPath: string;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.testPath = context.testPath;
  }

  async handleTestEvent(event: Circus.Event, state: Circus.State): Promise<void> {
    if (MODE === 'off') return;
    if (event.name === 'run_start') {
      this.baseline = countResources();
      return;
    }
    if (event.name !== 'run_describe_finish' || event.describeBlock.parent !== undefined) return;
    const errors = [...(await this.openHandles()), ...(await this.leftKeys())];
    if (process.env.THAW_GUARD_DEBUG) {
      process.stderr.write(
        `[leak-guard] ${this.testPath} baseline=${JSON.stringify(this.baseline)} end=${JSON.stringify(countResources())}\n`,
      );
    }
    if (errors.length === 0) return;
    // The guard's own stack says nothing about the leak: show the message only.
    for (const error of errors) error.stack = error.message;
    if (MODE === 'warn') {
      for (const error of errors) process.stderr.write(`[leak-guard] ${error.message}\n`);
      return;
    }
    state.unhandledErrors.push(...errors);
  }

  private async openHandles(): Promise<Error[]> {
    const deadline = Date.now() + GRACE_MS;
    let found = excess(countResources(), this.baseline);
    while (found.length > 0 && Date.now() < deadline) {
      await sleep(50);
      found = excess(countResources(), this.baseline);
    }
    if (found.length === 0) return [];
    return [
      new Error(
        `leak guard: handles still open ${GRACE_MS} ms after the last afterAll hook: ${found.join(', ')} ` +
          '(close servers, Redis connections, workers and child processes in afterAll)',
      ),
    ];
  }

  private async leftKeys(): Promise<Error[]> {
    const prefixes = (this.global as { __THAW_TEST_PREFIXES__?: string[] }).__THAW_TEST_PREFIXES__ ?? [];
    if (prefixes.length === 0) return [];
    const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: false });
    const errors: Error[] = [];
    try {
      await redis.connect();
      for (const prefix of new Set(prefixes)) {
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await redis.scan(cursor, 'MATCH', `*${globEscape(prefix)}*`, 'COUNT', 1000);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
        if (keys.length > 0) {
          keys.sort();
          const shown =
            keys.slice(0, 10).join(', ') + (keys.length > 10 ? `, … (${keys.length - 10} more)` : '');
          errors.push(
            new Error(
              `leak guard: ${keys.length} Redis key(s) left under the file's prefix ${prefix}: ${shown}`,
            ),
          );
        }
      }
    } catch (error) {
      errors.push(
        new Error(`leak guard: could not check Redis for leftover keys: ${(error as Error).message}`),
      );
    } finally {
      redis.disconnect();
    }
    return errors;
  }
}
