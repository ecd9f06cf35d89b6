import type { RestoreRequest } from '../domain/restore-request';
import type { RestoreView } from './schemas/restore-schemas';

/**
 * The published shape of a restore request (README, "HTTP"): a one-object request shows its object at the top
 * level; a several-object request lists `objects` with each one's status instead.
 */
export function toRestoreView(request: RestoreRequest): RestoreView {
  const recipient = {
    email: request.recipient.email,
    ...(request.recipient.name !== undefined ? { name: request.recipient.name } : {}),
    locale: request.recipient.locale,
    timeZone: request.recipient.timeZone,
  };
  const common = {
    id: request.id,
    tier: request.tier,
    days: request.days,
    initiate: request.initiate,
    status: request.status,
    recipient,
    events: request.events.map((event) => ({
      kind: event.kind,
      eventTime: event.eventTime,
      receivedAt: event.receivedAt,
      source: event.source,
      effect: event.effect,
      ...(request.single ? {} : { object: event.object }),
    })),
    notifications: request.notifications.map((notification) => ({
      kind: notification.kind,
      state: notification.state,
      messageId: notification.messageId,
      sentAt: notification.sentAt,
      reason: notification.reason,
    })),
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
    cancelledAt: request.cancelledAt,
  };
  const objectDetails = (index: number) => {
    const state = request.objectStates[index];
    return {
      storageClass: state?.storageClass ?? null,
      expectedBy: state?.expectedBy ?? null,
      restoreExpiryTime: state?.restoreExpiryTime ?? null,
      failureReason: state?.failureReason ?? null,
      downloadedAt: state?.downloadedAt ?? null,
    };
  };
  if (request.single) {
    const object = request.objects[0];
    return {
      ...common,
      bucket: object?.bucket,
      key: object?.key,
      versionId: object?.versionId ?? null,
      ...objectDetails(0),
    };
  }
  return {
    ...common,
    objects: request.objects.map((object, index) => ({
      bucket: object.bucket,
      key: object.key,
      versionId: object.versionId,
      status: request.objectStates[index]?.status ?? 'requested',
      ...objectDetails(index),
    })),
  };
}
