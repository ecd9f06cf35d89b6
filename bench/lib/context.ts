import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { freePort, startChild, THAW_MAIN, CHILDREN } from './children';
import type { BenchChild } from './children';
import type { Sizes } from './options';
import { deletePrefix } from './redis-tools';
import type { Report } from './report';
import type { Resources } from './resources';
import type { SnsWorld } from './sns-pool';

export const API_TOKEN = 'bench-token-0123456789abcdef';

/** What every figure gets from bench/run.ts. */
export interface BenchContext {
  readonly sizes: Sizes;
  /** Every thaw process runs under `node --cpu-prof`; figures add summaries to `profiles`. */
  readonly profile: boolean;
  /** The bench's own connection: INFO, MEMORY USAGE, clean-up. */
  readonly redis: Redis;
  readonly redisUrl: string;
  /** The Redis server's pid when it runs on this machine (for its CPU time), else undefined. */
  readonly redisPid: number | undefined;
  /** `thawbench-<random>`: every key the bench makes starts with it. */
  readonly runId: string;
  readonly world: SnsWorld;
  readonly resources: Resources;
  readonly report: Report;
  /** Logs and profiles of this run. */
  readonly workDir: string;
  /** Where `--profile` summaries go (printed after the table). */
  readonly profiles: string[];
  progress(message: string): void;
}

/**
 * A fresh key prefix for one run of one figure (`thawbench-ab12cd-ingest-thaw`), emptied now
 * and again when `release` is called or the bench ends.
 */
export async function freshPrefix(
  context: BenchContext,
  name: string,
): Promise<{ prefix: string; release: () => Promise<void> }> {
  const prefix = `${context.runId}-${name}`;
  await deletePrefix(context.redis, prefix);
  const release = context.resources.add(`redis keys ${prefix}`, () => deletePrefix(context.redis, prefix));
  return { prefix, release };
}

/** The environment of a thaw process of this bench: test-like credentials, production-like defaults. */
export function thawEnv(
  context: BenchContext,
  prefix: string,
  port: number,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    REDIS_URL: context.redisUrl,
    THAW_PREFIX: prefix,
    MAIL_FROM: 'restores@example.com',
    API_TOKEN,
    // Production's level: one JSON line per request and per job, written to a log file.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The schema's maximum; high enough that BullMQ's limiter never holds an email back here.
    SES_MAX_SEND_RATE: '10000',
    // The bench registers thousands of requests from one client: measure thaw, not its API quota.
    RATE_LIMIT_PER_MINUTE: '0',
    SHUTDOWN_GRACE_MS: '10000',
    ...context.world.env,
    ...extra,
  };
}

export interface ThawProcess {
  readonly child: BenchChild;
  /** `http://127.0.0.1:<port>` (the worker role serves only the operations endpoints). */
  readonly url: string;
}

export interface ThawProcessOptions {
  readonly role: 'serve' | 'api' | 'worker';
  readonly prefix: string;
  /**
   * `main`: `node dist/main.js <role>`, exactly as `npm start` runs thaw (emails go to SES_ENDPOINT).
   * `counting-mailer`: bench/children/thaw-process.js, the same start() with a counting Mailer.
   */
  readonly program: 'main' | 'counting-mailer';
  readonly env?: Record<string, string>;
  /** A name for the log and profile files, e.g. `ingest-thaw-api`. */
  readonly label: string;
}

export async function startThaw(context: BenchContext, options: ThawProcessOptions): Promise<ThawProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const main = options.program === 'main';
  const child = await startChild(
    {
      name: `thaw ${options.role} (${options.label})`,
      script: main ? THAW_MAIN : join(CHILDREN, 'thaw-process.js'),
      args: [options.role],
      env: thawEnv(context, options.prefix, port, options.env),
      nodeArgs: context.profile ? cpuProfileFlags(context, options.label) : [],
      ready: main ? { url: `${url}/readyz` } : { ipc: true },
      logFile: join(context.workDir, `${options.label}.log`),
    },
    context.resources,
  );
  return { child, url };
}

/** `node --cpu-prof` flags writing `<label>.cpuprofile` into the run's folder. */
export function cpuProfileFlags(context: BenchContext, label: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${context.workDir}`, `--cpu-prof-name=${label}.cpuprofile`];
}

export function profilePath(context: BenchContext, label: string): string {
  return join(context.workDir, `${label}.cpuprofile`);
}
