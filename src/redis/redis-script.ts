import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection';

export type RedisScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/**
 * Runs a Lua script by its SHA (one round trip), loading it on first use and again after a Redis
 * restart or SCRIPT FLUSH (NOSCRIPT).
 */
export function defineScript(
  redis: RedisClient,
  name: string,
  lua: string,
  numberOfKeys: number,
): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (keys, args) => {
    if (keys.length !== numberOfKeys)
      throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
    try {
      return await redis.evalsha(sha, numberOfKeys, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, numberOfKeys, ...keys, ...args);
    }
  };
}
