import type { RedisCluster, RedisSentinel } from '../helpers/redis-topologies';
import { inParallel, LONG, startCluster } from './cluster';
import type { Cluster, Flow } from './cluster';

/** Flows per Redis-topology scenario: ≥100 in CI, 1,000 with THAW_CHAOS=long. */
export const TOPOLOGY_FLOWS = Number(process.env.THAW_CHAOS_TOPOLOGY_FLOWS ?? (LONG ? 1000 : 100));

export interface PhaseFigures {
  /** How many deliveries SNS had acknowledged (this phase) when the fault fired. */
  readonly acknowledgedAtFault: number;
  /** Milliseconds the fault itself took (kill + restart, failover until healthy...). */
  readonly faultMs: number;
  /** 5xx answers and refused connections SNS retried during this phase. */
  readonly retried: number;
}

/**
 * Publishes one kind of event for every flow (8 in flight, SNS retrying 5xx and refused
 * connections), fires `fault` once a third of them are acknowledged, and waits for all deliveries.
 */
export async function deliverDuringFault(
  cluster: Cluster,
  flows: readonly Flow[],
  kind: 'initiated' | 'completed',
  fault: () => Promise<void>,
): Promise<PhaseFigures> {
  const acknowledgedBefore = cluster.sns.stats.acknowledged;
  const retriedBefore = cluster.sns.stats.retried;
  const deliveries = inParallel(flows, 8, (flow) => cluster.sns.publish(cluster.event(flow, kind)));
  let finished = false;
  void deliveries.finally(() => {
    finished = true;
  });
  while (!finished && cluster.sns.stats.acknowledged < acknowledgedBefore + flows.length / 3)
    await new Promise((resolve) => setTimeout(resolve, 10));
  const acknowledgedAtFault = cluster.sns.stats.acknowledged - acknowledgedBefore;
  const started = Date.now();
  await fault();
  const faultMs = Date.now() - started;
  await deliveries;
  return { acknowledgedAtFault, faultMs, retried: cluster.sns.stats.retried - retriedBefore };
}

/** `503 × n, refused × m` from the publisher's status counts. */
export function retrySummary(cluster: Cluster): string {
  const statuses = cluster.sns.stats.statuses;
  const parts = Object.entries(statuses)
    .filter(([status]) => Number(status) < 200 || Number(status) >= 500)
    .map(([status, count]) => `${status === '0' ? 'refused connection' : status} × ${count}`);
  return parts.length > 0 ? parts.join(', ') : 'no retries';
}

/** The Redis and the chaos cluster of one scenario file, readable once beforeAll has run. */
export interface TopologyWorld<R> {
  readonly redis: R;
  readonly cluster: Cluster;
}

/**
 * Starts the Redis of a scenario, then thaw (api + 1 worker) on it with `env`, before the file's
 * tests; stops thaw, then Redis, after them.
 */
export function chaosOnTopology<R extends { stop(): Promise<void> }>(
  startRedis: () => Promise<R>,
  thawEnvOf: (redis: R) => Record<string, string>,
  env: Record<string, string> = {},
): TopologyWorld<R> {
  let redis: R | undefined;
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    // Redis itself is away for seconds here (a failover takes 3-5 s, longer on a loaded machine),
    // and so is the SES Send event that settles a send whose record the failover lost: it waits
    // for Redis like every SNS delivery. The in-doubt window must outlast that, as production's
    // 120 s does; the 5 s the other scenarios use once let a retry send again (1 duplicate in 200).
    cluster = await startCluster({
      workers: 1,
      redis: { env: thawEnvOf(redis) },
      env: { SEND_IN_DOUBT_SECONDS: '30', ...env },
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await redis?.stop();
  }, 120_000);
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the scenario world is started in beforeAll');
    return value;
  };
  return {
    get redis() {
      return started(redis);
    },
    get cluster() {
      return started(cluster);
    },
  };
}

export const clusterEnv = (redis: RedisCluster) => ({ REDIS_CLUSTER_NODES: redis.seeds });
export const sentinelEnv = (redis: RedisSentinel) => ({
  REDIS_SENTINELS: redis.sentinels,
  REDIS_SENTINEL_MASTER: redis.masterName,
});
