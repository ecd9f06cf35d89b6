import type { RestoreEvent } from '../domain/types';
import { InvalidInputError } from '../errors';
import { parseEventBridgeEvent } from './eventbridge-event';
import { ownField } from './own-field';
import { parseS3Records } from './s3-event';

/** What the `Message` of a Notification on a restore-events topic turned out to be. */
export type RestoreMessage =
  | { readonly kind: 'events'; readonly events: RestoreEvent[]; readonly ignored: string[] }
  | { readonly kind: 'test-event' }
  | { readonly kind: 'ignored'; readonly ignored: string[] };

/**
 * Reads the `Message` string of a Notification: an S3 event notification (`Records`), S3's
 * `s3:TestEvent` (sent when a notification configuration is saved; acknowledged, ignored), or an
 * EventBridge event for S3. Anything else is not a restore event thaw can read (400).
 */
export function parseRestoreMessage(message: string, eventBridgeKeysUrlEncoded: boolean): RestoreMessage {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch (cause) {
    throw new InvalidInputError('not_restore_event', 'notification Message is not JSON', cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError('not_restore_event', 'notification Message is not a JSON object');
  }
  if (ownField(value, 'Event') === 's3:TestEvent') return { kind: 'test-event' };
  if (Object.hasOwn(value, 'Records')) {
    const { events, ignoredEventNames } = parseS3Records(ownField(value, 'Records'));
    return events.length > 0
      ? { kind: 'events', events, ignored: ignoredEventNames }
      : { kind: 'ignored', ignored: ignoredEventNames };
  }
  if (ownField(value, 'source') === 'aws.s3') {
    const result = parseEventBridgeEvent(value, eventBridgeKeysUrlEncoded);
    return result.outcome === 'restore'
      ? { kind: 'events', events: [result.event], ignored: [] }
      : { kind: 'ignored', ignored: [result.detailType] };
  }
  throw new InvalidInputError(
    'not_restore_event',
    'notification Message is not an S3 or EventBridge S3 event',
  );
}
