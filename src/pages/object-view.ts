import type { ObjectState } from '../domain/restore-request';
import { basename, fileSize, formatDate, fromNow } from '../templating/template-helpers';
import type { RenderSettings } from '../templating/template-helpers';
import { cleanText, webUrl } from '../templating/template-output';
import { classifyFailure } from '../domain/failure-kind';
import type { FailureKind } from '../domain/failure-kind';

/**
 * One object as the status page shows it. Customer words for the stored statuses: `requested`
 * is "waiting to start", `initiated` is "restoring", `completed` is "ready", then `expired` and
 * `failed`.
 */
export type PageObjectState = 'requested' | 'restoring' | 'ready' | 'expired' | 'failed';

export interface TimeView {
  /** ISO-8601, for `<time datetime>`. */
  readonly iso: string;
  /** In the recipient's locale and zone, e.g. "Monday, November 30, 2026 at 4:00 PM CET". */
  readonly text: string;
  /** Relative to now, e.g. "in 3 hours". */
  readonly relative: string;
}

export interface ObjectView {
  readonly index: number;
  /** The object key (user data, cleaned of control and bidi characters; templates escape it). */
  readonly key: string;
  /** Last path segment of the key. */
  readonly name: string;
  /** Formatted size, when known. */
  readonly size?: string;
  readonly state: PageObjectState;
  /** `/d/<token>` link (only http(s)), for ready objects. */
  readonly downloadUrl?: string;
  /** restoring: expected by; ready: when the copy goes away; expired: when it went. */
  readonly time?: TimeView;
  /** Ready with no expiry: the copy stays (Intelligent-Tiering moves back to an access tier). */
  readonly stays: boolean;
  /** Restoring and past its expected time. */
  readonly overdue: boolean;
  readonly failure?: FailureKind;
}

/** What every row shares: the clock, and how times are written (short in long lists). */
export interface RowContext {
  readonly now: number;
  readonly settings: RenderSettings;
  readonly dateStyle: 'full' | 'short';
}

/**
 * The customer's view of one object's status. A `completed` object whose copy's expiry has passed
 * shows as expired even before S3's expiry event (or the reconciler) says so: its link would fail.
 */
export function pageState(state: ObjectState | undefined, now: number): PageObjectState {
  switch (state?.status) {
    case undefined:
    case 'requested':
      return 'requested';
    case 'initiated':
      return 'restoring';
    case 'completed':
      return state.restoreExpiryTime !== null && Date.parse(state.restoreExpiryTime) <= now
        ? 'expired'
        : 'ready';
    case 'expired':
      return 'expired';
    case 'failed':
      return 'failed';
  }
}

export function objectView(
  index: number,
  rawKey: string,
  state: ObjectState | undefined,
  url: string | undefined,
  row: RowContext,
): ObjectView {
  const status = pageState(state, row.now);
  const key = cleanText(rawKey);
  const size = typeof state?.size === 'number' ? fileSize(state.size, row.settings.locale) : '';
  const time = (iso: string | null | undefined): TimeView | undefined =>
    timeView(iso, row.dateStyle, row.settings);
  const base = {
    index,
    key,
    name: basename(key),
    state: status,
    stays: false,
    overdue: false,
    ...optional('size', size === '' ? undefined : size),
  };
  switch (status) {
    case 'requested':
      return base;
    case 'restoring': {
      const expected = time(state?.expectedBy);
      const overdue = expected !== undefined && Date.parse(expected.iso) < row.now;
      return { ...base, ...optional('time', expected), overdue };
    }
    case 'ready': {
      const expiry = time(state?.restoreExpiryTime);
      return {
        ...base,
        ...optional('downloadUrl', webUrl(url)),
        ...optional('time', expiry),
        stays: !expiry,
      };
    }
    case 'expired':
      return { ...base, ...optional('time', time(state?.restoreExpiryTime)) };
    case 'failed':
      return { ...base, failure: classifyFailure(state?.failureReason ?? null) };
  }
}

/** An instant in the recipient's locale and zone, with the emails' date helpers; none if unparsable. */
export function timeView(
  iso: string | null | undefined,
  style: 'full' | 'short',
  settings: RenderSettings,
): TimeView | undefined {
  if (!iso || Number.isNaN(Date.parse(iso))) return undefined;
  const normalised = new Date(iso).toISOString();
  return {
    iso: normalised,
    text: formatDate(normalised, style, settings),
    relative: fromNow(normalised, settings),
  };
}

/** `{ [name]: value }` when there is a value, `{}` otherwise (fields stay absent, not undefined). */
export function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [name]: value }) as { [P in K]?: V };
}
