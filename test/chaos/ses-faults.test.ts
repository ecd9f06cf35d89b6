import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectEveryEmailOnce, FLOWS, inParallel, settle, startCluster } from './cluster';
import type { Cluster, Flow } from './cluster';
import { recordScenario } from './report';

/**
 * SES away for a while (the emulator stopped), then back: the emails go out once it returns, none
 * twice. SES throttling (429 TooManyRequestsException on a share of requests, from a proxy in
 * front of the emulator): nothing fails for good.
 */
async function deliver(
  cluster: Cluster,
  flows: readonly Flow[],
  kind: 'initiated' | 'completed',
): Promise<void> {
  await inParallel(flows, 16, (flow) => cluster.sns.publish(cluster.event(flow, kind)));
}

describe('SES unavailable, then back', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ workers: 1 });
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
  }, 60_000);

  it(`delivers every email once SES returns (${FLOWS} flows)`, async () => {
    const flows = await cluster.registerFlows(FLOWS, 'sesdown');
    await deliver(cluster, flows, 'initiated');
    await settle(cluster, flows, ['initiated'], 60_000);
    await cluster.stopSes();
    await deliver(cluster, flows, 'completed');
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const sentWhileDown = cluster.workers[0]!.count('email sent');
    await cluster.startSes();
    const verdict = await settle(cluster, flows, ['initiated', 'completed'], 180_000);
    recordScenario('SES emulator stopped for 4 s while emails were due, then started', {
      runs: 1,
      ...verdict,
      note: `emails sent while down: ${sentWhileDown - FLOWS}`,
    });
    expect(sentWhileDown).toBe(FLOWS); // only the first half went out before SES stopped
    expectEveryEmailOnce(verdict);
  }, 300_000);
});

describe('SES throttling', () => {
  let cluster: Cluster;
  let proxy: Server;
  let throttled = 0;
  let forwarded = 0;

  beforeAll(async () => {
    let target = '';
    // Every third SendEmail gets SES's throttling answer; the rest go to the emulator.
    proxy = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const sending = request.method === 'POST' && (request.url ?? '').includes('/outbound-emails');
        if (sending && (forwarded + throttled) % 3 === 0) {
          throttled += 1;
          response.writeHead(429, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'TooManyRequestsException',
          });
          response.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
          return;
        }
        if (sending) forwarded += 1;
        void fetch(`${target}${request.url}`, {
          method: request.method,
          headers: request.headers as Record<string, string>,
          body: request.method === 'GET' ? undefined : Buffer.concat(chunks),
        })
          .then(async (answer) => {
            response.writeHead(answer.status, Object.fromEntries(answer.headers));
            response.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch(() => response.writeHead(502).end());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    // SES throttles per second: a short pause is enough for the test (production waits longer).
    cluster = await startCluster({
      workers: 1,
      sesThrough: () => proxyUrl,
      env: { SES_THROTTLE_BACKOFF_MS: '200' },
    });
    target = cluster.sesUrl();
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  }, 60_000);

  it(`fails nothing for good when SES throttles a third of the sends (${FLOWS} flows)`, async () => {
    const flows = await cluster.registerFlows(FLOWS, 'throttle');
    await deliver(cluster, flows, 'initiated');
    await settle(cluster, flows, ['initiated'], 120_000);
    await deliver(cluster, flows, 'completed');
    const verdict = await settle(cluster, flows, ['initiated', 'completed'], 180_000);
    const failed = cluster.workers[0]!.lines.filter((line) => line.msg === 'job failed for good').length;
    recordScenario('SES answers 429 TooManyRequests to every third send', {
      runs: 1,
      ...verdict,
      note: `throttled ${throttled} sends; jobs failed for good: ${failed}`,
    });
    expect(throttled).toBeGreaterThan(FLOWS / 2);
    expect(failed).toBe(0);
    expectEveryEmailOnce(verdict);
  }, 360_000);
});
