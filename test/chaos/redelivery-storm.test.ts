import { expectEveryEmailOnce, FLOWS, inParallel, settle, startCluster } from './cluster';
import type { Cluster } from './cluster';
import { recordScenario } from './report';

/**
 * SNS redelivery storm: every message delivered 3–5 times, shuffled, concurrently — exactly one
 * email per request and kind. (Posts come before Completeds, as restores take hours.)
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ workers: 1 });
}, 60_000);
afterAll(async () => {
  await cluster.stop();
}, 60_000);

function storm<T>(messages: readonly T[]): T[] {
  const copies = messages.flatMap((message) => Array<T>(3 + Math.floor(Math.random() * 3)).fill(message));
  for (let index = copies.length - 1; index > 0; index -= 1) {
    const swap = Math.floor(Math.random() * (index + 1));
    [copies[index], copies[swap]] = [copies[swap]!, copies[index]!];
  }
  return copies;
}

it(`sends one email per request and kind through a redelivery storm (${FLOWS} flows)`, async () => {
  const flows = await cluster.registerFlows(FLOWS, 'storm');
  const posts = storm(flows.map((flow) => cluster.event(flow, 'initiated')));
  await inParallel(posts, 32, (message) => cluster.sns.publish(message));
  await settle(cluster, flows, ['initiated'], 60_000);
  const completions = storm(flows.map((flow) => cluster.event(flow, 'completed')));
  await inParallel(completions, 32, (message) => cluster.sns.publish(message));
  const verdict = await settle(cluster, flows, ['initiated', 'completed']);
  recordScenario('SNS redelivery storm: every message 3-5 times, shuffled, 32 at once', {
    runs: 1,
    ...verdict,
    note: `${posts.length + completions.length} deliveries of ${FLOWS * 2} messages`,
  });
  expect(cluster.sns.stats.refused).toEqual([]);
  expectEveryEmailOnce(verdict);
}, 300_000);
