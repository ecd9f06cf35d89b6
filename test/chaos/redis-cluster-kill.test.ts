import { startRedisCluster } from '../helpers/redis-topologies';
import { expectEveryEmailOnce, settle } from './cluster';
import { recordScenario } from './report';
import { chaosOnTopology, clusterEnv, deliverDuringFault, retrySummary, TOPOLOGY_FLOWS } from './topology';

/**
 * Redis Cluster, 3 primaries + 3 replicas, REDIS_WAIT_REPLICAS=1: kill -9 of the busiest primary
 * while events flow; its replica takes over, then the killed node is started again and rejoins as
 * a replica (so WAIT 1 succeeds again for its slots).
 */
const world = chaosOnTopology(() => startRedisCluster({ primaries: 3, replicasPerPrimary: 1 }), clusterEnv, {
  REDIS_WAIT_REPLICAS: '1',
});

it(`kill -9 of the busiest primary while events flow, WAIT 1 (${TOPOLOGY_FLOWS} flows)`, async () => {
  const { redis, cluster } = world;
  const flows = await cluster.registerFlows(TOPOLOGY_FLOWS, 'cluster-kill');
  let failoverMs = 0;
  let rejoinMs = 0;
  let killed = '';
  const killBusiest = async () => {
    const victim = await redis.busiestPrimary({ by: 'commands', sampleMs: 300 });
    killed = victim.address;
    const started = Date.now();
    await redis.kill9(victim);
    await redis.waitHealthy(30_000);
    failoverMs = Date.now() - started;
    const restarted = Date.now();
    await redis.restart(victim);
    rejoinMs = Date.now() - restarted;
  };
  const first = await deliverDuringFault(cluster, flows, 'initiated', killBusiest);
  await settle(cluster, flows, ['initiated'], 90_000);
  const second = await deliverDuringFault(cluster, flows, 'completed', async () => undefined);
  const verdict = await settle(cluster, flows, ['initiated', 'completed']);
  recordScenario('Cluster: kill -9 of the busiest primary while events flow, REDIS_WAIT_REPLICAS=1', {
    runs: 1,
    ...verdict,
    note: `killed after ${first.acknowledgedAtFault} acknowledged deliveries; replica serving its slots after ${failoverMs} ms, killed node back as replica ${rejoinMs} ms later; SNS retried ${first.retried} + ${second.retried} (${retrySummary(cluster)})`,
  });
  // The kill really moved the slots: the killed node came back as a replica, not a primary.
  expect(killed).not.toBe('');
  expect((await redis.primaries()).map((node) => node.address)).not.toContain(killed);
  expect(cluster.sns.stats.refused).toEqual([]);
  expectEveryEmailOnce(verdict, TOPOLOGY_FLOWS);
}, 240_000);
