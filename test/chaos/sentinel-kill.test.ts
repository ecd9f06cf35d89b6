import { startRedisSentinel } from '../helpers/redis-topologies';
import { expectEveryEmailOnce, settle } from './cluster';
import { recordScenario } from './report';
import { chaosOnTopology, deliverDuringFault, retrySummary, sentinelEnv, TOPOLOGY_FLOWS } from './topology';

/**
 * Sentinel, 1 primary + 2 replicas + 3 sentinels, REDIS_WAIT_REPLICAS=1: kill -9 of the primary
 * while events flow; Sentinel promotes a replica; the killed node is started again and rejoins as
 * a replica.
 */
const world = chaosOnTopology(() => startRedisSentinel({ replicas: 2, sentinels: 3 }), sentinelEnv, {
  REDIS_WAIT_REPLICAS: '1',
});

it(`kill -9 of the Sentinel primary while events flow, WAIT 1 (${TOPOLOGY_FLOWS} flows)`, async () => {
  const { redis, cluster } = world;
  const flows = await cluster.registerFlows(TOPOLOGY_FLOWS, 'sentinel-kill');
  let failoverMs = 0;
  let rejoinMs = 0;
  const first = await deliverDuringFault(cluster, flows, 'initiated', async () => {
    const started = Date.now();
    const old = await redis.kill9Primary();
    await redis.waitForNewPrimary(old, 60_000);
    failoverMs = Date.now() - started;
    const restarted = Date.now();
    await redis.restart(old, 60_000);
    rejoinMs = Date.now() - restarted;
  });
  await settle(cluster, flows, ['initiated'], 90_000);
  const second = await deliverDuringFault(cluster, flows, 'completed', async () => undefined);
  const verdict = await settle(cluster, flows, ['initiated', 'completed']);
  recordScenario('Sentinel: kill -9 of the primary, REDIS_WAIT_REPLICAS=1', {
    runs: 1,
    ...verdict,
    note: `killed after ${first.acknowledgedAtFault} acknowledged deliveries; new primary agreed after ${failoverMs} ms, old primary back as replica ${rejoinMs} ms later; SNS retried ${first.retried} + ${second.retried} (${retrySummary(cluster)})`,
  });
  expect(first.retried).toBeGreaterThan(0);
  expect(cluster.sns.stats.refused).toEqual([]);
  expectEveryEmailOnce(verdict, TOPOLOGY_FLOWS);
}, 240_000);
