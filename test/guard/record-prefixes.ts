/**
 * Leak guard, part 1 (setupFilesAfterEnv): remembers every prefix `uniquePrefix` hands out in this
 * test file, on the file's own global, where the leak-guard environment reads it after the file's
 * afterAll hooks. test/helpers/redis.ts itself is left as it is: the wrapper adds the bookkeeping.
 */
import type * as RedisHelpers from '../helpers/redis';

jest.mock('../helpers/redis', () => {
  const actual = jest.requireActual<typeof RedisHelpers>('../helpers/redis');
  return {
    ...actual,
    uniquePrefix(file: string): string {
      const prefix = actual.uniquePrefix(file);
      const g = globalThis as { __THAW_TEST_PREFIXES__?: string[] };
      (g.__THAW_TEST_PREFIXES__ ??= []).push(prefix);
      return prefix;
    },
  };
});
