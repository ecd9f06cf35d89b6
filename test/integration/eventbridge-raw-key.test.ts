import type { Job } from 'bullmq';
import { createCorrelationProcessor } from '../../src/correlate/correlation-worker';
import type { ObjectRef } from '../../src/domain/object-ref';
import type { QueuedRestoreEvent, RestoreEvent } from '../../src/domain/types';
import { parseRestoreMessage } from '../../src/ingest/restore-message';
import { createLogger } from '../../src/logger';
import { createMetrics } from '../../src/observability/metrics';
import { restoreEventJobId } from '../../src/queue/event-producer';
import { eventBridgeMessage } from '../../src/simulate/restore-notifications';
import { requested, spec, useTestStore } from '../helpers/store';

/**
 * AWS does not document whether EventBridge URL-encodes `detail.object.key`. thaw reads it
 * URL-encoded (EVENTBRIDGE_KEYS_URL_ENCODED, default true); when the decoded key matches no request
 * and the key as it stands does, the event belongs to that one.
 */
const world = useTestStore('eb-raw-key');

const object = (key: string): ObjectRef => ({ bucket: 'archive', key, versionId: null });

async function registerOne(key: string): Promise<string> {
  const { id } = await world.store.register({
    spec: spec([object(key)]),
    initial: requested(1),
    replaySince: 0,
    firstDueAt: Date.now() + 60_000,
  });
  return id;
}

/** The event thaw makes of an EventBridge message whose key EventBridge did not encode. */
function unencodedEventBridge(key: string): RestoreEvent {
  const message = eventBridgeMessage({ kind: 'initiated', bucket: 'archive', key }, false);
  const parsed = parseRestoreMessage(message, true);
  if (parsed.kind !== 'events' || !parsed.events[0]) throw new Error('expected one event');
  return parsed.events[0];
}

async function correlate(event: RestoreEvent): Promise<void> {
  const processor = createCorrelationProcessor({
    store: world.store,
    queueNotifications: async (id, kinds) => {
      await world.store.markQueued(id, kinds);
    },
    metrics: createMetrics({ collectDefaults: false }),
    logger: createLogger({ level: 'silent' }),
  });
  const data: QueuedRestoreEvent = { event, snsMessageId: null, receivedAt: new Date().toISOString() };
  await processor({ id: restoreEventJobId(event), data } as Job<QueuedRestoreEvent, void, string>);
}

const statusOf = async (id: string) => (await world.store.get(id))?.status;

describe('EventBridge keys taken as they stand when the decoded key matches nothing', () => {
  it('moves the request for the key as it stands (a literal +)', async () => {
    const id = await registerOne('reports/a+b.pdf');
    const event = unencodedEventBridge('reports/a+b.pdf');
    expect(event).toMatchObject({ key: 'reports/a b.pdf', rawKey: 'reports/a+b.pdf' });
    await correlate(event);
    expect(await statusOf(id)).toBe('initiated');
  });

  it('prefers the decoded key when a request waits on it', async () => {
    const decoded = await registerOne('x y.pdf');
    const raw = await registerOne('x+y.pdf');
    await correlate(unencodedEventBridge('x+y.pdf'));
    expect(await statusOf(decoded)).toBe('initiated');
    expect(await statusOf(raw)).toBe('requested');
  });

  it('still applies an event job queued by older code, which has no rawKey', async () => {
    const id = await registerOne('old/job key.pdf');
    const { rawKey, ...older } = unencodedEventBridge('old/job+key.pdf');
    expect(rawKey).toBe('old/job+key.pdf');
    await correlate(older);
    expect(await statusOf(id)).toBe('initiated');
  });

  it('keeps an unmatched event for the decoded key, as before', async () => {
    await correlate(unencodedEventBridge('later/c+d.pdf'));
    // A request registered afterwards for the decoded key replays the early event.
    const { id } = await world.store.register({
      spec: spec([object('later/c d.pdf')]),
      initial: requested(1),
      replaySince: Date.now() - 60_000,
      firstDueAt: Date.now() + 60_000,
    });
    expect(await statusOf(id)).toBe('initiated');
  });
});
