import { startRedisCluster } from '../helpers/redis-topologies';
import { expectEveryEmailOnce, settle } from './cluster';
import { recordScenario } from './report';
import { chaosOnTopology, clusterEnv, deliverDuringFault, retrySummary, TOPOLOGY_FLOWS } from './topology';

/**
 * Redis Cluster, 3 primaries + 3 replicas: a manual CLUSTER FAILOVER of every primary, one after
 * another, while events flow. A manual failover pauses the primary's clients until the replica has
 * caught up, so no acknowledged write is lost even without WAIT.
 */
const world = chaosOnTopology(() => startRedisCluster({ primaries: 3, replicasPerPrimary: 1 }), clusterEnv);

it(`CLUSTER FAILOVER of every primary while events flow (${TOPOLOGY_FLOWS} flows)`, async () => {
  const { redis, cluster } = world;
  const flows = await cluster.registerFlows(TOPOLOGY_FLOWS, 'cluster-failover');
  const failoverMs: number[] = [];
  const failEveryPrimary = async () => {
    for (const primary of await redis.primaries()) {
      const started = Date.now();
      await redis.failover(await redis.replicaOf(primary));
      failoverMs.push(Date.now() - started);
    }
  };
  const first = await deliverDuringFault(cluster, flows, 'initiated', failEveryPrimary);
  await settle(cluster, flows, ['initiated'], 90_000);
  const second = await deliverDuringFault(cluster, flows, 'completed', failEveryPrimary);
  const verdict = await settle(cluster, flows, ['initiated', 'completed']);
  recordScenario('Cluster (3 primaries + 3 replicas): CLUSTER FAILOVER of every primary while events flow', {
    runs: 1,
    ...verdict,
    note: `6 failovers (3 per phase) of ${failoverMs.join('/')} ms until healthy; SNS retried ${first.retried} + ${second.retried} (${retrySummary(cluster)})`,
  });
  expect(failoverMs).toHaveLength(6);
  expect(cluster.sns.stats.refused).toEqual([]);
  expectEveryEmailOnce(verdict, TOPOLOGY_FLOWS);
}, 240_000);
