import { configSchema } from './config/config-schema';
import type { Config } from './config/config-schema';
import { redisSettingsSchema } from './config/redis-settings';

/**
 * Configuration is read from the environment once, here, validated by one schema that also gives
 * its type (`config/config-schema.ts`, from the variables of `config/env-schema.ts`), and frozen.
 * Nothing else in thaw reads `process.env`.
 */

export type { Config, ThawRole } from './config/config-schema';
export type { RedisConfig, RedisTopology } from './config/redis-settings';
export { configWarnings, RECOMMENDED_TOKEN_LENGTH } from './config/warnings';

export class ConfigError extends Error {
  readonly code = 'config_invalid';
  readonly retryable = false;
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and freezes the configuration; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(blankToUndefined(env));
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(env)'} ${issue.message}`,
    );
    throw new ConfigError(problems);
  }
  return result.data;
}

/**
 * Just what the operator commands (`thaw failed`, `thaw sending`) need: where Redis is (single,
 * Cluster or Sentinel, TLS, credentials) and which prefix the deployment uses, validated by the same
 * rules as the service's.
 */
export function loadRedisConfig(env: Record<string, string | undefined>): Config['redis'] {
  const result = redisSettingsSchema.safeParse(blankToUndefined(env));
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  return result.data;
}

/** An empty variable means "not set", as in most shells' `VAR=` idiom. */
function blankToUndefined(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) out[name] = value === '' ? undefined : value;
  return out;
}
