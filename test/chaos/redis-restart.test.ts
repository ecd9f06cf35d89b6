import { expectEveryEmailOnce, FLOWS, inParallel, settle, startCluster } from './cluster';
import type { Cluster, Flow } from './cluster';
import { recordScenario } from './report';

/**
 * Redis restarted (SHUTDOWN, then started again on the same append-only file) while events flow:
 * /sns answers 503 during the outage, so SNS retries; 200 after; nothing answered 200 is lost.
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ workers: 1 });
}, 60_000);
afterAll(async () => {
  await cluster.stop();
}, 60_000);

async function deliverThroughOutage(flows: readonly Flow[], kind: 'initiated' | 'completed'): Promise<void> {
  const deliveries = inParallel(flows, 8, (flow) => cluster.sns.publish(cluster.event(flow, kind)));
  const acknowledgedBefore = cluster.sns.stats.acknowledged;
  while (cluster.sns.stats.acknowledged < acknowledgedBefore + flows.length / 3)
    await new Promise((r) => setTimeout(r, 10));
  const redis = cluster.redis;
  if (!redis) throw new Error('this scenario needs the private redis-server');
  await redis.shutdown();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await redis.start();
  await deliveries;
}

it(`loses nothing acknowledged across a Redis restart (${FLOWS} flows)`, async () => {
  const flows = await cluster.registerFlows(FLOWS, 'redis');
  await deliverThroughOutage(flows, 'initiated');
  await settle(cluster, flows, ['initiated'], 90_000);
  const unavailableAfterFirst = cluster.sns.stats.statuses[503] ?? 0;
  await deliverThroughOutage(flows, 'completed');
  const verdict = await settle(cluster, flows, ['initiated', 'completed']);
  const unavailable = cluster.sns.stats.statuses[503] ?? 0;
  recordScenario('Redis SHUTDOWN and restart on the same AOF while events flow (twice)', {
    runs: 1,
    ...verdict,
    note: `503 answers during the outages: ${unavailableAfterFirst} + ${unavailable - unavailableAfterFirst}; acknowledged ${cluster.sns.stats.acknowledged}`,
  });
  // The outage really was answered with 503 (SNS retries those), and nothing was refused.
  expect(unavailableAfterFirst).toBeGreaterThan(0);
  expect(unavailable).toBeGreaterThan(unavailableAfterFirst);
  expect(cluster.sns.stats.refused).toEqual([]);
  expectEveryEmailOnce(verdict);
}, 300_000);
