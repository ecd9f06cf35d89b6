import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { Redis } from 'ioredis';
import S3rver from 's3rver';
import { KEY_LAYOUT_VERSION, createRedisKeys } from '../../src/keys';
import { createLogger } from '../../src/logger';
import type { StartOverrides } from '../../src/composition/shared';
import { queueTelemetry } from '../../src/observability/queue-telemetry';
import { createQueues } from '../../src/queue/queues';
import type { ThawQueues } from '../../src/queue/queues';
import { createS3Client } from '../../src/restore/s3-client';
import type { SimulatedRestore } from '../../src/simulate/restore-notifications';
import { globEscape } from '../../src/upgrade/old-layout';
import { eventually } from '../helpers/eventually';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { TEST_TOKEN, restoreFlow } from '../helpers/restore-flow';
import { startSesEmulator } from '../helpers/ses-emulator';
import type { SesEmulator } from '../helpers/ses-emulator';
import { startSnsWorld } from '../helpers/sns-world';
import type { SnsWorld } from '../helpers/sns-world';
import { startTestThaw } from '../helpers/thaw-instance';
import type { TestThaw } from '../helpers/thaw-instance';
import { decodeText, loadUpgradeFixture, readUpgradeFixture } from '../helpers/upgrade-fixture';
import type { FixtureRequest } from '../helpers/upgrade-fixture';

/**
 * Upgrades keep in-flight restores: each test/fixtures/upgrade/v<N>.json is Redis as thaw of an
 * earlier commit left it (restores in every state, jobs still queued; see its README). Loaded under
 * a new prefix, today's code (an `api` and a `worker` instance, as a deployment runs them) must move
 * its keys to today's layout at start, read it as it was and drive every restore to its end: each
 * email sent once, none sent again. v1 and v2 both hold the layout before 3 (flat `<prefix>:` names);
 * v3 holds layout 3 and is the last shape before traces.
 *
 * With traces on, BullMQ stores each new job's trace context in its options; the fixtures' jobs
 * have none. The last run turns traces on (spans kept in memory) to show such jobs still run.
 */
describe.each([
  ['v1', 'traces off'],
  ['v2', 'traces off'],
  ['v3', 'traces off'],
  ['v3', 'traces on'],
])('an upgrade with restores in flight (fixture %s, %s)', (shape, tracing) => {
  const fixture = readUpgradeFixture(join(__dirname, `../fixtures/upgrade/${shape}.json`));
  const prefix = uniquePrefix('upgrade-fixture');
  let world: SnsWorld;
  let ses: SesEmulator;
  let redis: Redis;
  let s3rver: S3rver;
  let s3Dir: string;
  let queues: ThawQueues;
  let env: Record<string, string>;
  let api: TestThaw;
  let worker: TestThaw | undefined;
  /** The moment the fixture's dump is placed at: its times keep their distance from it. */
  let loadedAt: number;
  const spans = new InMemorySpanExporter();
  const provider =
    tracing === 'traces on'
      ? new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] })
      : undefined;
  const overrides: StartOverrides = provider
    ? { tracing: { queueTelemetry: queueTelemetry('test'), shutdown: async () => undefined } }
    : {};

  beforeAll(async () => {
    provider?.register();
    world = await startSnsWorld();
    ses = await startSesEmulator();
    // The emulator's store is shared by every emulator of this file: each fixture counts its own.
    await ses.clear();
    redis = testRedis();
    s3Dir = mkdtempSync(join(tmpdir(), 'thaw-upgrade-s3-'));
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir });
    const { port } = (await s3rver.run()) as unknown as AddressInfo;
    const completed = request('completed').objects[0]!;
    const client = createS3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` });
    await client.send(new CreateBucketCommand({ Bucket: completed.bucket }));
    await client.send(
      new PutObjectCommand({ Bucket: completed.bucket, Key: completed.key, Body: 'restored' }),
    );
    client.destroy();
    loadedAt = Date.now();
    expect(await loadUpgradeFixture(redis, fixture, prefix, loadedAt)).toBe(fixture.keyCount);
    env = {
      ...world.env,
      ...fixture.config,
      SES_ENDPOINT: ses.endpoint,
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_FORCE_PATH_STYLE: 'true',
      SES_MAX_SEND_RATE: '1000',
      // The reminder due in the fixture goes out on the reconciler's first run.
      RECONCILE_INTERVAL_SECONDS: '1',
    };
    api = await startTestThaw(prefix, { ...env, THAW_ROLE: 'api' }, undefined, overrides);
    // Only after the start has moved the keys: a Queue writes its `meta` under the new names as it
    // connects, which would stand in the way of the old one.
    queues = createQueues(redis, prefix, createLogger({ level: 'silent' }));
  });

  afterAll(async () => {
    // Whatever beforeAll got to start, so a failed start still leaves no keys or servers behind.
    if (provider) {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    }
    await worker?.stop();
    if (api) await api.stop();
    if (queues) await queues.close();
    await deletePrefix(redis, prefix);
    await redis.quit();
    await ses.stop();
    await s3rver.close();
    rmSync(s3Dir, { recursive: true, force: true });
    await world.close();
  });

  function request(name: string): FixtureRequest {
    const found = fixture.requests[name];
    if (!found) throw new Error(`the fixture holds no "${name}" request`);
    return found;
  }

  interface View {
    id: string;
    status: string;
    cancelledAt: string | null;
    notifications: { kind: string; state: string; messageId: string | null }[];
    objects?: { status: string }[];
    events: unknown[];
  }

  async function readId(id: string): Promise<View> {
    const response = await api.app.inject({
      url: `/v1/restores/${id}`,
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(response.statusCode).toBe(200);
    return response.json() as View;
  }

  const read = (name: string) => readId(request(name).id);

  const notificationStates = (view: View) => view.notifications.map((n) => `${n.kind}:${n.state}`).sort();

  async function deliver(restores: SimulatedRestore[]): Promise<void> {
    const flow = restoreFlow(api.app, world.signer);
    expect(await flow.deliver(flow.signed(restores))).toBe(200);
  }

  function events(name: string, kind: SimulatedRestore['kind'], from = 0): SimulatedRestore[] {
    return request(name)
      .objects.slice(from)
      .map((object) => ({ kind, ...object }));
  }

  /** Waits until the request is in `status` with exactly these notifications (`kind:state`, sorted). */
  async function settled(name: string, status: string, notifications: string[]): Promise<View> {
    return eventually(async () => {
      const view = await read(name);
      expect({ status: view.status, notifications: notificationStates(view) }).toEqual({
        status,
        notifications,
      });
      return view;
    });
  }

  async function emailsTo(address: string) {
    return (await ses.emails()).filter((email) => email.destination.to.includes(address));
  }

  /** New emails each address must get after the upgrade; every other address gets none. */
  const NEW_EMAILS: Record<string, number> = {
    requested: 2,
    restoreStarted: 2,
    initiated: 1,
    delayed: 1,
    completed: 1,
    partlyCompleted: 1,
    reminderDue: 1,
    eventJobWaiting: 1,
    notificationJobWaiting: 1,
    notificationJobRetrying: 1,
  };

  it('moves every key to today’s layout at start, leaving none under an old name', async () => {
    expect(await redis.get(createRedisKeys(prefix).layout)).toBe(KEY_LAYOUT_VERSION);
    const left: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}:*`, 'COUNT', 1000);
      cursor = next;
      left.push(...found);
    } while (cursor !== '0');
    expect(left).toEqual([]);
  });

  it('reads every request and job as the earlier code left them', async () => {
    for (const [name, stored] of Object.entries(fixture.requests)) {
      const view = await read(name);
      expect({ name, status: view.status, cancelled: view.cancelledAt !== null }).toEqual({
        name,
        status: stored.status,
        cancelled: stored.cancelled,
      });
      expect(view.objects?.map((o) => o.status) ?? [view.status]).toEqual(stored.objectStatuses);
      expect(view.notifications.map(({ kind, state, messageId }) => ({ kind, state, messageId }))).toEqual(
        stored.notifications,
      );
    }
    const byName = new Map(
      [queues.restoreEvents, queues.notifications, queues.maintenance].map((q) => [q.name, q]),
    );
    expect(fixture.jobs.map((job) => `${job.queue}:${job.state}`).sort()).toEqual([
      'maintenance:delayed',
      'notifications:delayed',
      'notifications:waiting',
      'restore-events:waiting',
    ]);
    for (const job of fixture.jobs) {
      const id = decodeText(job.id, prefix, loadedAt);
      expect({ id, state: await byName.get(job.queue)!.getJobState(id) }).toEqual({ id, state: job.state });
    }
  });

  it('keeps the links of emails sent before: the status page and a download', async () => {
    const completed = request('completed');
    const page = await api.app.inject({ url: `/r/${completed.pageToken}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('photos 2019.zip');
    const [token] = completed.downloadTokens;
    const redirect = await api.app.inject({ url: `/d/${token}` });
    expect(redirect.statusCode).toBe(302);
    expect(await (await fetch(String(redirect.headers.location))).text()).toBe('restored');
  });

  it('runs the jobs queued before the upgrade: the waiting event, the waiting and the retrying email', async () => {
    worker = await startTestThaw(prefix, { ...env, THAW_ROLE: 'worker' }, undefined, overrides);
    await settled('eventJobWaiting', 'completed', ['completed:sent', 'initiated:sent']);
    await settled('notificationJobWaiting', 'completed', ['completed:sent']);
    await settled('notificationJobRetrying', 'initiated', ['initiated:sent']);
  });

  it('sends the reminder that was due, once', async () => {
    await settled('reminderDue', 'completed', ['completed:sent', 'expiring:sent', 'initiated:sent']);
  });

  it('drives the restores in flight to their end, one email per stage', async () => {
    await deliver(events('requested', 'initiated'));
    await settled('requested', 'initiated', ['initiated:sent']);
    await deliver(events('restoreStarted', 'initiated'));
    await settled('restoreStarted', 'initiated', ['initiated:sent']);
    await deliver(events('requested', 'completed'));
    await deliver(events('restoreStarted', 'completed'));
    await deliver(events('initiated', 'completed'));
    await deliver(events('delayed', 'completed'));
    await deliver(events('partlyCompleted', 'completed', 1));
    await deliver(events('completed', 'expired'));
    await settled('requested', 'completed', ['completed:sent', 'initiated:sent']);
    await settled('restoreStarted', 'completed', ['completed:sent', 'initiated:sent']);
    await settled('initiated', 'completed', ['completed:sent', 'initiated:sent']);
    await settled('delayed', 'completed', ['completed:sent', 'delayed:sent', 'initiated:sent']);
    const several = await settled('partlyCompleted', 'completed', ['completed:sent', 'initiated:sent']);
    expect(several.objects?.map((o) => o.status)).toEqual(['completed', 'completed', 'completed']);
    const [ready] = await emailsTo(request('partlyCompleted').recipient);
    expect(ready?.subject).toContain('3');
    await settled('completed', 'expired', ['completed:sent', 'expired:sent', 'initiated:sent']);
  });

  it('sends nothing more for finished, cancelled and suppressed requests', async () => {
    const before = new Map<string, number>();
    for (const name of ['expired', 'failed', 'cancelled', 'suppressed'])
      before.set(name, (await read(name)).events.length);
    await deliver(events('expired', 'completed'));
    await deliver(events('failed', 'completed'));
    await deliver(events('cancelled', 'completed'));
    await deliver(events('suppressed', 'completed'));
    for (const name of ['expired', 'failed', 'cancelled', 'suppressed']) {
      await eventually(async () =>
        expect((await read(name)).events.length).toBeGreaterThan(before.get(name)!),
      );
    }
    await settled('expired', 'expired', ['completed:sent', 'expired:sent', 'initiated:sent']);
    await settled('failed', 'failed', ['failed:sent']);
    // A cancelled request still follows S3 (the API shows it) but tells nobody.
    expect((await settled('cancelled', 'completed', ['initiated:sent'])).cancelledAt).not.toBeNull();
    await settled('suppressed', 'completed', ['completed:suppressed', 'initiated:suppressed']);
  });

  it('applies the event that came before its request when the request is registered', async () => {
    const flow = restoreFlow(api.app, world.signer);
    const id = await flow.register(fixture.earlyEvent.registerBody);
    expect((await readId(id)).status).toBe('initiated');
    await deliver([{ kind: 'completed', ...fixture.earlyEvent.object }]);
    await eventually(async () =>
      expect(notificationStates(await readId(id))).toEqual(['completed:sent', 'initiated:sent']),
    );
    expect(await emailsTo(fixture.earlyEvent.recipient)).toHaveLength(2);
  });

  it('answers a replayed Idempotency-Key with the request made before the upgrade', async () => {
    const idempotent = request('idempotent');
    const replay = await api.app.inject({
      method: 'POST',
      url: '/v1/restores',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'idempotency-key': idempotent.idempotencyKey! },
      payload: idempotent.registerBody,
    });
    expect(replay.statusCode).toBe(200);
    expect((replay.json() as { id: string }).id).toBe(idempotent.id);
  });

  it('sent every email due exactly once: none missing, none repeated, the earlier ones untouched', async () => {
    await eventually(async () => {
      for (const queue of [queues.restoreEvents, queues.notifications]) {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
        expect({ queue: queue.name, ...counts }).toEqual({
          queue: queue.name,
          waiting: 0,
          delayed: 0,
          active: 0,
          prioritized: 0,
        });
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const emails = await ses.emails();
    for (const [name, stored] of Object.entries(fixture.requests)) {
      const view = await read(name);
      const mine = emails.filter((email) => email.destination.to.includes(stored.recipient));
      expect({ name, emails: mine.length }).toEqual({ name, emails: NEW_EMAILS[name] ?? 0 });
      // Each email sent now is recorded; each sent before keeps its SES MessageId.
      const sentNow = view.notifications.filter(
        (n) =>
          n.state === 'sent' &&
          !stored.notifications.some((old) => old.kind === n.kind && old.state === 'sent'),
      );
      expect(sentNow.map((n) => n.messageId).sort()).toEqual(mine.map((email) => email.messageId).sort());
      for (const old of stored.notifications.filter((n) => n.state === 'sent')) {
        expect(view.notifications).toContainEqual(
          expect.objectContaining({ kind: old.kind, messageId: old.messageId }),
        );
      }
    }
    const total = Object.values(NEW_EMAILS).reduce((sum, count) => sum + count, 0);
    // And the two emails of the request registered after the upgrade.
    expect(emails).toHaveLength(total + 2);
  });

  if (tracing === 'traces on') {
    it('runs the jobs queued without a trace context in traces of their own, and traces the new ones end to end', () => {
      const finished = spans.getFinishedSpans();
      const named = (name: string) => finished.filter((span) => span.name === name);
      const parentOf = (span: (typeof finished)[number]) =>
        finished.find((candidate) => candidate.spanContext().spanId === span.parentSpanContext?.spanId);
      // The fixture's waiting event job and notification jobs carry no context: each a root.
      expect(named('process restore-events').some((span) => span.parentSpanContext === undefined)).toBe(true);
      expect(named('process notifications').some((span) => span.parentSpanContext === undefined)).toBe(true);
      // Events delivered after the upgrade: their job continues the trace of the add that queued it.
      const continued = named('process restore-events').filter(
        (span) => parentOf(span)?.name.startsWith('add restore-events.') === true,
      );
      expect(continued.length).toBeGreaterThan(0);
      const emailed = named('notification.record_sent').filter(
        (span) => parentOf(span)?.name === 'process notifications',
      );
      expect(emailed.length).toBeGreaterThan(0);
    });
  }
});
