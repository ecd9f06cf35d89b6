import type { NotificationKind } from '../domain/restore-request';
import { NOTIFICATION_KINDS } from './email-data';
import type { Logger } from '../logger';
import type { Metrics } from '../observability/metrics';
import type { NotificationState } from './notification-state';
import { feedbackEvent, parseSesFeedback } from './ses-feedback';
import type { Suppression } from './suppression';

export interface FeedbackDeps {
  readonly suppression: Suppression;
  readonly state: Pick<NotificationState, 'recordSent'>;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/**
 * SES feedback from the feedback topic: permanent bounces and complaints suppress their
 * addresses; a Send event whose tags name a notification records it sent (settling a send whose
 * answer thaw lost). Malformed feedback throws InvalidInputError (400).
 */
export function createFeedbackHandler(deps: FeedbackDeps) {
  return async (message: string): Promise<void> => {
    const feedback = parseSesFeedback(message);
    deps.metrics.sesFeedbackEvents.inc({ event: feedbackEvent(feedback) });
    if (feedback.kind === 'suppress') {
      await deps.suppression.add(feedback.addresses, `${feedback.reason} (${feedback.detail})`);
      deps.metrics.sesFeedback.inc({ outcome: 'suppressed' });
      deps.logger.warn(
        { reason: feedback.reason, detail: feedback.detail, count: feedback.addresses.length },
        'addresses suppressed',
      );
      return;
    }
    if (feedback.kind === 'sent') {
      const requestId = feedback.tags['thaw-request'];
      const kind = feedback.tags['thaw-kind'] as NotificationKind | undefined;
      if (requestId && kind && NOTIFICATION_KINDS.includes(kind)) {
        await deps.state.recordSent(requestId, kind, feedback.messageId, new Date());
        deps.metrics.sesFeedback.inc({ outcome: 'sent' });
        return;
      }
    }
    deps.metrics.sesFeedback.inc({ outcome: 'ignored' });
  };
}
