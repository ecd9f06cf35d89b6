import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Where Redis is and how thaw talks to it. REDIS_URL always carries the user, the password and the
 * scheme (`rediss://` is TLS) and, for a single Redis, the address; REDIS_CLUSTER_NODES (a Redis
 * Cluster's seeds) or REDIS_SENTINELS with REDIS_SENTINEL_MASTER (Redis Sentinel) say how to find
 * the primaries instead. The operator commands read exactly these settings too (`loadRedisConfig`).
 */

export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

export type RedisTopology =
  | { readonly kind: 'single' }
  | { readonly kind: 'cluster'; readonly seeds: readonly RedisAddress[] }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly RedisAddress[];
      readonly primaryName: string;
      /** Sentinels may require their own password (`requirepass` in sentinel.conf). */
      readonly sentinelPassword: string | undefined;
    };

const url = z.url({ message: 'must be a URL' });

/** `host:port` or `[ipv6]:port`, comma-separated. */
const addressList = z.string().transform((value, ctx) => {
  const addresses: RedisAddress[] = [];
  for (const item of value.split(',').map((part) => part.trim())) {
    if (item === '') continue;
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(item);
    const port = Number(match?.[3]);
    const host = match?.[1] ?? match?.[2];
    if (!match || host === undefined || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `holds "${item}", which is not host:port` });
      return z.NEVER;
    }
    addresses.push({ host, port });
  }
  if (addresses.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'holds no host:port' });
    return z.NEVER;
  }
  return addresses;
});

const readableFile = z.string().transform((path, ctx) => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `cannot be read (${(error as Error).message})` });
    return z.NEVER;
  }
});

/** The variables, one key each; merged into the service's environment schema. */
export const redisEnvShape = {
  REDIS_URL: url.default('redis://127.0.0.1:6379'),
  THAW_PREFIX: z
    .string()
    // `:` too: prefixes like `tests:thaw` are a common way to share one Redis.
    .regex(/^[\w{}.:-]{1,64}$/, 'may hold letters, digits, _ . - : { } only')
    .default('thaw'),
  REDIS_CLUSTER_NODES: addressList.optional(),
  REDIS_SENTINELS: addressList.optional(),
  REDIS_SENTINEL_MASTER: z.string().trim().min(1).optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  /** A CA bundle (PEM) to trust for `rediss://` besides Node's own, e.g. a self-hosted Redis' CA. */
  REDIS_TLS_CA_FILE: readableFile.optional(),
  REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).default(0),
};

type RedisEnv = z.infer<z.ZodObject<typeof redisEnvShape>>;

/** The settings that only make sense together; each finding names every variable involved. */
export function checkRedisTopology(env: RedisEnv, ctx: z.RefinementCtx): void {
  if (env.REDIS_CLUSTER_NODES && env.REDIS_SENTINELS) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_CLUSTER_NODES'],
      message: 'and REDIS_SENTINELS are both set: a Redis is either a Cluster or watched by Sentinels',
    });
  }
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_MASTER) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_SENTINEL_MASTER'],
      message: 'is required with REDIS_SENTINELS (the primary name the Sentinels monitor)',
    });
  }
  if (env.REDIS_SENTINEL_MASTER && !env.REDIS_SENTINELS) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_SENTINEL_MASTER'],
      message: 'is set but REDIS_SENTINELS is not (the Sentinels to ask for that primary)',
    });
  }
}

export interface RedisConfig {
  /** Credentials, TLS and (single Redis) the address; see the module comment. */
  readonly url: string;
  /** THAW_PREFIX as the operator wrote it; keys.ts places the hash tags. */
  readonly prefix: string;
  readonly topology: RedisTopology;
  /** `WAIT` for this many replicas before acknowledging a write; 0: do not wait. */
  readonly waitReplicas: number;
  /** Extra CA certificates (PEM) for TLS; undefined: Node's defaults. */
  readonly tlsCa: string | undefined;
}

export function redisConfigOf(env: RedisEnv): RedisConfig {
  const topology: RedisTopology = env.REDIS_CLUSTER_NODES
    ? { kind: 'cluster', seeds: env.REDIS_CLUSTER_NODES }
    : env.REDIS_SENTINELS && env.REDIS_SENTINEL_MASTER
      ? {
          kind: 'sentinel',
          sentinels: env.REDIS_SENTINELS,
          primaryName: env.REDIS_SENTINEL_MASTER,
          sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
        }
      : { kind: 'single' };
  return {
    url: env.REDIS_URL,
    prefix: env.THAW_PREFIX,
    topology,
    waitReplicas: env.REDIS_WAIT_REPLICAS,
    tlsCa: env.REDIS_TLS_CA_FILE,
  };
}

/** The Redis settings alone, for the operator commands: same variables, same rules. */
export const redisSettingsSchema = z
  .object(redisEnvShape)
  .superRefine(checkRedisTopology)
  .transform(redisConfigOf);
