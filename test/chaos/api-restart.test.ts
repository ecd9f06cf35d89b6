import { randomUUID } from 'node:crypto';
import { TOKEN, startCluster } from './cluster';
import type { Cluster } from './cluster';
import { recordScenario } from './report';

/**
 * The API process restarted under load: no 5xx outside the restart window, and every
 * registration answered 201 is there afterwards. Clients retry with the same Idempotency-Key.
 */
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ workers: 1 });
}, 60_000);
afterAll(async () => {
  await cluster.stop();
}, 60_000);

it('keeps every answered registration across an API restart', async () => {
  const answered = new Map<string, string>();
  const fiveXx: number[] = [];
  let window: { from: number; to: number } = { from: Infinity, to: -Infinity };
  let stop = false;

  async function client(index: number): Promise<void> {
    for (let n = 0; !stop; n += 1) {
      const key = `api-restart-${index}-${n}-${randomUUID()}`;
      for (let attempt = 0; attempt < 200; attempt += 1) {
        let status = 0;
        let id = '';
        try {
          const response = await fetch(`${cluster.api.url}/v1/restores`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${TOKEN}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify({
              bucket: 'chaos-bucket',
              key: `restart/${key}.bin`,
              initiate: false,
              recipient: { email: `${index}@example.com` },
            }),
          });
          status = response.status;
          if (status === 201 || status === 200) id = ((await response.json()) as { id: string }).id;
          else await response.body?.cancel();
        } catch {
          status = 0; // connection refused while the process is down
        }
        if (status >= 500) fiveXx.push(Date.now());
        if (id) {
          answered.set(key, id);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  const clients = Array.from({ length: 8 }, (_, index) => client(index));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  window = { from: Date.now(), to: Infinity };
  await cluster.api.kill('SIGTERM');
  await cluster.api.start();
  window = { from: window.from, to: Date.now() };
  await new Promise((resolve) => setTimeout(resolve, 1500));
  stop = true;
  await Promise.all(clients);

  const outside = fiveXx.filter((at) => at < window.from || at > window.to);
  let missing = 0;
  for (const id of new Set(answered.values())) {
    const response = await fetch(`${cluster.api.url}/v1/restores/${id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    if (response.status === 404) missing += 1;
    else if (response.status !== 200) {
      throw new Error(`GET /v1/restores/${id} answered ${response.status}: ${await response.text()}`);
    }
    await response.body?.cancel();
  }
  recordScenario('API process restarted (SIGTERM, start) under registration load', {
    runs: 1,
    expected: answered.size,
    delivered: answered.size - missing,
    duplicated: 0,
    lost: missing,
    note: `${answered.size} registrations answered; 5xx inside the restart window ${fiveXx.length - outside.length}, outside ${outside.length}; restart took ${window.to - window.from} ms`,
  });
  expect(answered.size).toBeGreaterThan(50);
  expect(outside).toEqual([]);
  expect(missing).toBe(0);
}, 120_000);
