import { classifyFailure } from '../domain/failure-kind';
import type { NotificationKind, RestoreRequest } from '../domain/restore-request';
import type { EmailData, EmailObject } from './email-data';
import type { EmailLinks } from './download-links';

/** Objects whose emails carry download links: ready, and not already gone. */
export function downloadableIndexes(request: RestoreRequest, kind: NotificationKind): number[] {
  if (kind !== 'completed' && kind !== 'expiring') return [];
  return request.objectStates.flatMap((state, index) => (state.status === 'completed' ? [index] : []));
}

/** Turns a stored request into what the templates of one notification kind need. */
export function buildEmailData(
  request: RestoreRequest,
  kind: NotificationKind,
  links: EmailLinks,
  statusPageUrl: string | undefined,
  now: number,
): EmailData {
  const objects: EmailObject[] = request.objects.map((object, index) => {
    const state = request.objectStates[index];
    const url = links.urls.get(index);
    return {
      bucket: object.bucket,
      key: object.key,
      versionId: object.versionId,
      status: state?.status ?? 'requested',
      ...(state?.size !== null && state?.size !== undefined ? { size: state.size } : {}),
      ...(url ? { downloadUrl: url } : {}),
      ...(state?.restoreExpiryTime ? { restoreExpiresAt: state.restoreExpiryTime } : {}),
      ...(state?.status === 'failed' ? { failure: classifyFailure(state.failureReason) } : {}),
    };
  });
  const expiries = request.objectStates.flatMap((state) =>
    state.restoreExpiryTime ? [Date.parse(state.restoreExpiryTime)] : [],
  );
  const expected = request.objectStates.flatMap((state) =>
    state.expectedBy && (state.status === 'requested' || state.status === 'initiated')
      ? [Date.parse(state.expectedBy)]
      : [],
  );
  const storageClass = request.objectStates.find((state) => state.storageClass)?.storageClass;
  return {
    kind,
    requestId: request.id,
    recipient: request.recipient,
    tier: request.tier,
    ...(storageClass ? { storageClass } : {}),
    objects,
    ...(expected.length > 0 ? { expectedBy: new Date(Math.max(...expected)).toISOString() } : {}),
    ...(expiries.length > 0 ? { restoreExpiresAt: new Date(Math.min(...expiries)).toISOString() } : {}),
    ...(links.expiresAt ? { linkExpiresAt: links.expiresAt.toISOString() } : {}),
    ...(statusPageUrl ? { statusPageUrl } : {}),
    now: new Date(now).toISOString(),
  };
}
