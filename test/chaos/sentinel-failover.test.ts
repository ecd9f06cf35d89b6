import { startRedisSentinel } from '../helpers/redis-topologies';
import type { RedisSentinel } from '../helpers/redis-topologies';
import { expectEveryEmailOnce, settle, startCluster } from './cluster';
import type { Cluster } from './cluster';
import { recordScenario } from './report';
import { deliverDuringFault, retrySummary, TOPOLOGY_FLOWS } from './topology';

/**
 * Sentinel, 1 primary + 2 replicas + 3 sentinels, REDIS_WAIT_REPLICAS=1: SENTINEL FAILOVER while
 * events flow. Sentinel does not pause the old primary, so only WAIT keeps acknowledged writes.
 */
let redis: RedisSentinel;
let cluster: Cluster;

beforeAll(async () => {
  redis = await startRedisSentinel({ replicas: 2, sentinels: 3 });
  cluster = await startCluster({
    workers: 1,
    redis: { env: { REDIS_SENTINELS: redis.sentinels, REDIS_SENTINEL_MASTER: redis.masterName } },
    env: { REDIS_WAIT_REPLICAS: '1' },
  });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
}, 120_000);

it(`SENTINEL FAILOVER while events flow, WAIT 1 (${TOPOLOGY_FLOWS} flows)`, async () => {
  const flows = await cluster.registerFlows(TOPOLOGY_FLOWS, 'sentinel-failover');
  let failoverMs = 0;
  const first = await deliverDuringFault(cluster, flows, 'initiated', async () => {
    const started = Date.now();
    await redis.failover();
    failoverMs = Date.now() - started;
  });
  await settle(cluster, flows, ['initiated'], 90_000);
  const second = await deliverDuringFault(cluster, flows, 'completed', async () => undefined);
  const verdict = await settle(cluster, flows, ['initiated', 'completed']);
  recordScenario(
    'Sentinel (1 primary, 2 replicas, 3 sentinels): SENTINEL FAILOVER while events flow, REDIS_WAIT_REPLICAS=1',
    {
      runs: 1,
      ...verdict,
      note: `failover after ${first.acknowledgedAtFault} acknowledged deliveries, new primary agreed after ${failoverMs} ms; SNS retried ${first.retried} + ${second.retried} (${retrySummary(cluster)})`,
    },
  );
  expect(cluster.sns.stats.refused).toEqual([]);
  expectEveryEmailOnce(verdict, TOPOLOGY_FLOWS);
}, 240_000);
