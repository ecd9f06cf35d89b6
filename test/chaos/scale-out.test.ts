import { expectEveryEmailOnce, FLOWS, inParallel, settle, startCluster } from './cluster';
import type { Cluster } from './cluster';
import { recordScenario } from './report';

/**
 * Two worker processes on one Redis: every event is correlated once, every email sent once, and
 * both processes share the work.
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ workers: 2 });
}, 60_000);
afterAll(async () => {
  await cluster.stop();
}, 60_000);

it('handles every event once with two worker processes', async () => {
  const flows = await cluster.registerFlows(FLOWS, 'scale');
  await inParallel(flows, 16, (flow) => cluster.sns.publish(cluster.event(flow, 'initiated')));
  await settle(cluster, flows, ['initiated'], 60_000);
  await inParallel(flows, 16, (flow) => cluster.sns.publish(cluster.event(flow, 'completed')));
  const verdict = await settle(cluster, flows, ['initiated', 'completed']);

  const correlated = cluster.workers.flatMap((worker) =>
    worker.lines
      .filter((line) => line.msg === 'restore event correlated')
      .map((line) => String(line.eventId)),
  );
  const perWorker = cluster.workers.map((worker) => worker.count('restore event correlated'));
  recordScenario('two worker processes on one Redis', {
    runs: 1,
    ...verdict,
    note: `events per worker: ${perWorker.join(' + ')}`,
  });
  expect(correlated).toHaveLength(FLOWS * 2);
  expect(new Set(correlated).size).toBe(FLOWS * 2);
  expect(perWorker.every((count) => count > 0)).toBe(true);
  expectEveryEmailOnce(verdict);
}, 300_000);
