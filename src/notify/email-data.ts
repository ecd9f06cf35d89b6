/**
 * The data every email template is rendered with. The notification worker builds one `EmailData`
 * per restore request and kind; the template renderer adds derived fields (count, object name,
 * restore window) before handing it to Handlebars, see `template-renderer.ts`.
 *
 * Keys and names are user data: templates must never triple-stash them.
 */
import type { FailureKind } from '../domain/failure-kind';
import type { NotificationKind } from '../domain/restore-request';

export type { NotificationKind } from '../domain/restore-request';
export { NOTIFICATION_KINDS } from '../domain/restore-request';

export interface EmailObject {
  readonly bucket: string;
  /** Plain object key (user data: may contain <, >, &, quotes, newlines, unicode). */
  readonly key: string;
  readonly versionId: string | null;
  /** Bytes. */
  readonly size?: number;
  readonly status: 'requested' | 'initiated' | 'completed' | 'expired' | 'failed';
  /** Only for `completed` and `expiring`. */
  readonly downloadUrl?: string;
  /** ISO-8601; absent = never expires (Intelligent-Tiering). */
  readonly restoreExpiresAt?: string;
  /** Why it failed, in words each locale's `failure` partial says gently (no S3 internals). */
  readonly failure?: FailureKind;
}

export interface EmailData {
  readonly kind: NotificationKind;
  readonly requestId: string;
  readonly recipient: {
    readonly email: string;
    readonly name?: string;
    readonly locale: string;
    readonly timeZone: string;
  };
  readonly tier: 'Expedited' | 'Standard' | 'Bulk';
  /** e.g. GLACIER, DEEP_ARCHIVE, INTELLIGENT_TIERING. */
  readonly storageClass?: string;
  /** 1..1000 objects. */
  readonly objects: readonly EmailObject[];
  /** ISO-8601 (initiated, delayed). */
  readonly expectedBy?: string;
  /** ISO-8601, earliest expiry among the objects (completed, expiring, expired). */
  readonly restoreExpiresAt?: string;
  /** ISO-8601, when the download links stop working (completed, expiring). */
  readonly linkExpiresAt?: string;
  readonly statusPageUrl?: string;
  /** ISO-8601 time of rendering, for relative phrases ("in 3 hours"). */
  readonly now: string;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}
