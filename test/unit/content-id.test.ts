import { contentId } from '../../src/domain/content-id';
import type { RestoreEvent } from '../../src/domain/types';
import { syntheticEventId } from '../../src/correlate/reconciler';
import { restoreEventJobId } from '../../src/queue/event-producer';

// These ids are stored: BullMQ job ids and dedupe keys of events already queued, and event ids
// the store has applied. The expected values were computed before the hashing moved to
// domain/content-id.ts; they must never change.
const event: RestoreEvent = {
  kind: 'completed',
  bucket: 'archive',
  key: 'photos/2024/cat ü.jpg',
  versionId: 'v1',
  sequencer: '0055AED6DCD90281E5',
  eventTime: '2024-05-01T12:00:00.000Z',
  source: 's3',
};

describe('content ids', () => {
  it('gives a restore event the job id it had before', () => {
    expect(restoreEventJobId(event)).toBe('ev-W90ee3Pbv7JmpXkOlfesFx_4qqOoOj1U');
  });

  it('gives an unversioned event without a sequencer the job id it had before', () => {
    const { sequencer: _sequencer, ...withoutSequencer } = event;
    expect(restoreEventJobId({ ...withoutSequencer, versionId: null })).toBe(
      'ev-zvkghaqUqGVKMIJM2JvaNp01pTkKg_fT',
    );
  });

  it('gives a reconciler finding the event id it had before', () => {
    const object = { bucket: 'archive', key: 'photos/2024/cat ü.jpg', versionId: null };
    expect(syntheticEventId(object, 'completed', '2024-05-08T00:00:00.000Z')).toBe(
      'rc-x1rKiImeeLCffHWUK7LEr6Q3lp_lWAKd',
    );
  });

  it('is a prefixed digest without colons', () => {
    expect(contentId('ev', ['a', 1, null])).toMatch(/^ev-[A-Za-z0-9_-]{32}$/);
  });
});
