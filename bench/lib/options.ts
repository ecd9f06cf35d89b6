/**
 * Command line: `npm run bench [-- --quick] [--only=ingest,peer] [--profile] [--markdown]`.
 * `BENCH_REDIS_URL` points the bench at another Redis (default redis://127.0.0.1:6379).
 */
export const FIGURES = [
  'peer',
  'ingest',
  'pipeline',
  'scale',
  'footprint',
  'cluster',
  'replicas',
  'tracing',
] as const;
export type FigureName = (typeof FIGURES)[number];

/** How big each figure is; `--quick` shrinks every one so the whole run takes well under a minute. */
export interface Sizes {
  /** Measured seconds per ingest target (thaw, and each ceiling) and round. */
  readonly ingestSeconds: number;
  /** Rounds of the three ingest targets, loaded in turn; medians are reported. */
  readonly ingestRounds: number;
  /** Requests sent to each ingest target before measuring (JIT, connections, certificate). */
  readonly ingestWarmup: number;
  /** Unique signed notifications for thaw's measured rounds; a round stops early if its share runs out. */
  readonly ingestPool: number;
  /** Concurrent HTTP connections of the load generator. */
  readonly connections: number;
  /** Restore requests per pipeline run (each gets 2 events and 2 emails). */
  readonly pipelineRequests: number;
  /** A pipeline run that has not sent every email by then is broken. */
  readonly pipelineTimeoutMs: number;
  /** Restore requests registered for the Redis footprint. */
  readonly footprintRequests: number;
  readonly peerSeconds: number;
  readonly peerRounds: number;
  readonly peerPool: number;
  /** Pipeline runs with tracing off, then on, this many times each (medians); one when --quick. */
  readonly tracingRounds: number;
  /** Also run tracing without Redis spans (a third variant; left out of --quick, for its budget). */
  readonly tracingWithoutRedis: boolean;
}

const FULL: Sizes = {
  ingestSeconds: 5,
  ingestRounds: 3,
  ingestWarmup: 2000,
  ingestPool: 45_000,
  connections: 50,
  pipelineRequests: 1000,
  pipelineTimeoutMs: 120_000,
  footprintRequests: 10_000,
  peerSeconds: 1.5,
  peerRounds: 3,
  peerPool: 2000,
  tracingRounds: 2,
  tracingWithoutRedis: true,
};

const QUICK: Sizes = {
  ingestSeconds: 2,
  ingestRounds: 1,
  ingestWarmup: 300,
  ingestPool: 6000,
  connections: 50,
  pipelineRequests: 100,
  pipelineTimeoutMs: 30_000,
  footprintRequests: 500,
  peerSeconds: 0.5,
  peerRounds: 1,
  peerPool: 500,
  tracingRounds: 1,
  tracingWithoutRedis: false,
};

export interface BenchOptions {
  readonly quick: boolean;
  readonly figures: readonly FigureName[];
  /** Runs thaw's processes under `node --cpu-prof` and prints where their CPU time went. */
  readonly profile: boolean;
  /** Also prints the table as Markdown (for docs/PERFORMANCE.md). */
  readonly markdown: boolean;
  readonly sizes: Sizes;
  readonly redisUrl: string;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  let quick = false;
  let profile = false;
  let markdown = false;
  let figures: FigureName[] = [...FIGURES];
  for (const argument of argv) {
    if (argument === '--quick') quick = true;
    else if (argument === '--profile') profile = true;
    else if (argument === '--markdown') markdown = true;
    else if (argument.startsWith('--only=')) {
      const named = argument.slice('--only='.length).split(',');
      const unknown = named.filter((name) => !(FIGURES as readonly string[]).includes(name));
      if (unknown.length > 0)
        throw new UsageError(`unknown figure ${unknown.join(', ')} (${FIGURES.join(', ')})`);
      figures = FIGURES.filter((name) => named.includes(name));
    } else throw new UsageError(`unknown argument ${argument}`);
  }
  return {
    quick,
    figures,
    profile,
    markdown,
    sizes: quick ? QUICK : FULL,
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

export class UsageError extends Error {
  constructor(message: string) {
    super(
      `${message}\nusage: npm run bench -- [--quick] [--only=${FIGURES.join(',')}] [--profile] [--markdown]`,
    );
    this.name = 'UsageError';
  }
}
