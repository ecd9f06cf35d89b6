import { expectEveryEmailOnce, FLOWS, inParallel, settle, startCluster } from './cluster';
import type { Cluster, Flow } from './cluster';
import type { ThawProcess } from './thaw-process';
import { recordScenario } from './report';

/**
 * kill -9 a worker process in the middle of a batch of restore flows, start it again: every
 * request ends completed and every recipient has exactly one email of each kind.
 * Restores take minutes to hours, so a flow's Completed comes well after its Post: the batch
 * delivers every Post, then every Completed, and the worker is killed during each half.
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ workers: 1 });
}, 60_000);
afterAll(async () => {
  await cluster.stop();
}, 60_000);

async function killWhileSending(worker: ThawProcess, after: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  while (worker.count('email sent') < after && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 10));
  const sent = worker.count('email sent');
  await worker.kill('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await worker.start();
  return sent;
}

async function deliver(flows: readonly Flow[], kind: 'initiated' | 'completed'): Promise<void> {
  await inParallel(flows, 16, (flow) => cluster.sns.publish(cluster.event(flow, kind)));
}

it(`loses and duplicates nothing when a worker is killed mid-batch (${FLOWS} flows)`, async () => {
  const flows = await cluster.registerFlows(FLOWS, 'kill');
  const worker = cluster.workers[0]!;
  const posts = deliver(flows, 'initiated');
  const firstKill = await killWhileSending(worker, FLOWS / 3);
  await posts;
  await settle(cluster, flows, ['initiated'], 60_000);
  const completions = deliver(flows, 'completed');
  const secondKill = await killWhileSending(worker, firstKill + FLOWS + FLOWS / 3);
  await completions;
  const verdict = await settle(cluster, flows, ['initiated', 'completed']);
  recordScenario('kill -9 a worker mid-batch (twice), restart it', {
    runs: 1,
    ...verdict,
    note: `killed after ${firstKill} and ${secondKill} emails`,
  });
  expect(cluster.sns.stats.refused).toEqual([]);
  expectEveryEmailOnce(verdict);
}, 300_000);
