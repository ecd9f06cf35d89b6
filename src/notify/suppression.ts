import type { RedisClient } from '../redis/redis-connection';
import type { RedisKeys } from '../keys';

/**
 * Addresses thaw must not mail: permanent bounces and complaints reported by SES. Mailing them
 * again hurts the sender's reputation (SES pauses accounts at 10 % bounces or 0.5 % complaints).
 */
export interface Suppression {
  add(addresses: readonly string[], reason: string): Promise<void>;
  /** Why an address is suppressed, or null when it may be mailed. */
  reasonFor(address: string): Promise<string | null>;
  remove(address: string): Promise<boolean>;
}

export function createSuppression(redis: RedisClient, keys: RedisKeys): Suppression {
  return {
    async add(addresses, reason) {
      if (addresses.length === 0) return;
      const entry = JSON.stringify({ reason, at: new Date().toISOString() });
      await redis.hset(
        keys.suppressed,
        Object.fromEntries(addresses.map((address) => [normalise(address), entry])),
      );
    },
    async reasonFor(address) {
      const entry = await redis.hget(keys.suppressed, normalise(address));
      return entry ? (JSON.parse(entry) as { reason: string }).reason : null;
    },
    async remove(address) {
      return (await redis.hdel(keys.suppressed, normalise(address))) === 1;
    },
  };
}

export function normalise(address: string): string {
  return address.trim().toLowerCase();
}
