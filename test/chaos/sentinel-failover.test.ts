import { startRedisSentinel } from '../helpers/redis-topologies';
import { expectEveryEmailOnce, settle } from './cluster';
import { recordScenario } from './report';
import { chaosOnTopology, deliverDuringFault, retrySummary, sentinelEnv, TOPOLOGY_FLOWS } from './topology';

/**
 * Sentinel, 1 primary + 2 replicas + 3 sentinels, REDIS_WAIT_REPLICAS=1: SENTINEL FAILOVER while
 * events flow. Sentinel does not pause the old primary, so only WAIT keeps acknowledged writes.
 */
const world = chaosOnTopology(() => startRedisSentinel({ replicas: 2, sentinels: 3 }), sentinelEnv, {
  REDIS_WAIT_REPLICAS: '1',
});

it(`SENTINEL FAILOVER while events flow, WAIT 1 (${TOPOLOGY_FLOWS} flows)`, async () => {
  const { redis, cluster } = world;
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
