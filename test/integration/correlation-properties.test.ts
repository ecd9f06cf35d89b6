import fc from 'fast-check';
import type { Redis } from 'ioredis';
import type { ObjectRef } from '../../src/domain/object-ref';
import type { NotificationKind, RestoreStatus } from '../../src/domain/restore-request';
import type { RestoreEvent, RestoreEventKind } from '../../src/domain/types';
import { applyToObject, deriveRequestStatus, notificationFor } from '../../src/correlate/state-machine';
import type { EventModel, ObjectModel } from '../../src/correlate/state-machine';
import type { RestoreStore } from '../../src/correlate/restore-store';
import { restoreEventJobId } from '../../src/queue/event-producer';
import { deletePrefix, testRedis, uniquePrefix } from '../helpers/redis';
import { requested, spec, testStore } from '../helpers/store';

/**
 * Any order and any duplication of a set of restore events: the Lua in Redis must end where the
 * reference model ends, every object's final status must not depend on the order, and no
 * notification kind may be decided twice.
 */
const prefix = uniquePrefix('correlation-props');
let redis: Redis;
let store: RestoreStore;

beforeAll(() => {
  redis = testRedis();
  store = testStore(redis, prefix);
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

interface GeneratedEvent {
  object: number;
  kind: RestoreEventKind;
  second: number;
  sequencer: string | null;
  expiryDay: number;
}

// S3 notifications always carry a sequencer, EventBridge events never do: a scenario is one or the other.
const generatedEvent = (objects: number, sequenced: boolean) =>
  fc.record({
    object: fc.integer({ min: 0, max: objects - 1 }),
    kind: fc.constantFrom<RestoreEventKind>('initiated', 'completed', 'expired'),
    second: fc.integer({ min: 0, max: 3600 }),
    sequencer: sequenced ? fc.stringMatching(/^[0-9A-F]{14,18}$/) : fc.constant(null),
    expiryDay: fc.integer({ min: 1, max: 20 }),
  });

/**
 * A set of distinct events, then a delivery: a shuffled sequence with each event 1–3 times. Some
 * requests are ones thaw started itself at a generated second: events timed before it are late.
 */
const scenario = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.option(fc.integer({ min: 0, max: 3600 })))
  .chain(([objects, sequenced, since]) =>
    fc
      .uniqueArray(generatedEvent(objects, sequenced), {
        minLength: 1,
        maxLength: 8,
        selector: (e) => `${e.object}:${e.kind}:${e.second}`,
      })
      .chain((events) =>
        fc
          .tuple(
            fc.array(fc.integer({ min: 1, max: 3 }), { minLength: events.length, maxLength: events.length }),
            fc.infiniteStream(fc.nat()),
          )
          .map(([copies, randomness]) => {
            const delivery = events.flatMap((event, index) =>
              Array<GeneratedEvent>(copies[index] ?? 1).fill(event),
            );
            const random = randomness[Symbol.iterator]();
            for (let index = delivery.length - 1; index > 0; index -= 1) {
              const swap = (random.next().value as number) % (index + 1);
              [delivery[index], delivery[swap]] = [delivery[swap]!, delivery[index]!];
            }
            return { objects, events, delivery, since };
          }),
      ),
  );

let run = 0;

function toRestoreEvent(ref: ObjectRef, generated: GeneratedEvent): RestoreEvent {
  return {
    kind: generated.kind,
    bucket: ref.bucket,
    key: ref.key,
    versionId: null,
    eventTime: new Date(Date.UTC(2026, 10, 26, 0, 0, generated.second)).toISOString(),
    ...(generated.sequencer ? { sequencer: generated.sequencer } : {}),
    ...(generated.kind === 'completed'
      ? { restoreExpiryTime: new Date(Date.UTC(2026, 11, generated.expiryDay)).toISOString() }
      : {}),
    source: 's3',
  };
}

function toModel(generated: GeneratedEvent): EventModel {
  return {
    kind: generated.kind,
    sequencer: generated.sequencer,
    eventTimeMs: Date.UTC(2026, 10, 26, 0, 0, generated.second),
    expiryMs: generated.kind === 'completed' ? Date.UTC(2026, 11, generated.expiryDay) : null,
  };
}

const secondMs = (second: number) => Date.UTC(2026, 10, 26, 0, 0, second);

function runModel(objects: number, delivery: readonly GeneratedEvent[], since: number | null) {
  let states: ObjectModel[] = Array.from({ length: objects }, () => ({
    status: 'requested' as RestoreStatus,
    expiryMs: null,
    expirySequencer: null,
    expiryEventTimeMs: null,
  }));
  let requestStatus: RestoreStatus = 'requested';
  const notifications: NotificationKind[] = [];
  const seen = new Set<string>();
  for (const generated of delivery) {
    const id = `${generated.object}:${generated.kind}:${generated.second}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const next = applyToObject(
      states[generated.object]!,
      toModel(generated),
      since === null ? null : secondMs(since),
    );
    states = states.map((state, index) => (index === generated.object ? next.object : state));
    const derived = deriveRequestStatus(states);
    const kind = notificationFor(requestStatus, derived);
    if (kind) notifications.push(kind);
    if (kind || derived === 'failed') requestStatus = derived;
  }
  return { states, requestStatus, notifications };
}

describe('correlation under any order and duplication', () => {
  it('ends where the reference model ends, with each notification decided once', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ objects, events, delivery, since }) => {
        run += 1;
        const refs = Array.from({ length: objects }, (_, index): ObjectRef => ({
          bucket: 'props',
          key: `run-${run}/object-${index}`,
          versionId: null,
        }));
        const { id } = await store.register({
          spec: spec(refs),
          initial: requested(objects),
          replaySince: Date.now() + 86400_000,
          ...(since === null ? {} : { eventsSince: secondMs(since) }),
          firstDueAt: Date.now(),
        });
        for (const generated of delivery) {
          const event = toRestoreEvent(refs[generated.object]!, generated);
          await store.applyEvent(event, restoreEventJobId(event));
        }
        const stored = await store.get(id);
        const model = runModel(objects, delivery, since);
        expect(stored?.objectStates.map((state) => state.status)).toEqual(
          model.states.map((state) => state.status),
        );
        expect(stored?.status).toBe(model.requestStatus);
        const decided = stored?.notifications.map((notification) => notification.kind) ?? [];
        expect([...decided].sort()).toEqual([...model.notifications].sort());
        expect(new Set(decided).size).toBe(decided.length);
        // Order independence: the sorted delivery of the distinct events ends in the same statuses.
        const canonical = runModel(
          objects,
          [...events].sort((a, b) => a.second - b.second),
          since,
        );
        expect(model.states.map((state) => state.status)).toEqual(
          canonical.states.map((state) => state.status),
        );
        expect(model.requestStatus).toBe(canonical.requestStatus);
        // Completed copies agree on their expiry whatever the order (the newest Completed wins).
        model.states.forEach((state, index) => {
          if (state.status === 'completed') expect(state.expiryMs).toBe(canonical.states[index]?.expiryMs);
        });
      }),
      { numRuns: 150 },
    );
  });
});
