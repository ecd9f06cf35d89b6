import type { RestoreRequest } from '../domain/restore-request';
import { archiveFamily, restoreWindow } from '../domain/restore-times';
import { formatDuration, formatDurationRange } from '../templating/template-helpers';
import type { RenderSettings } from '../templating/template-helpers';
import { objectView, optional, pageState, timeView } from './object-view';
import type { ObjectView, PageObjectState, RowContext, TimeView } from './object-view';

/**
 * What the customer's status page shows, computed from a stored request without any I/O, so it
 * can be tested without Redis, HTTP or a browser: per-object state, counts, the ready share, and
 * times formatted in the recipient's locale and time zone with the email templates' Intl helpers.
 * The templates add the words.
 */

/** Sections of the page, in the order a customer cares about them: what they can download first. */
export const STATE_ORDER: readonly PageObjectState[] = [
  'ready',
  'restoring',
  'requested',
  'failed',
  'expired',
];

/** While anything is pending the page refreshes itself this often, seconds (politely: 5 minutes). */
export const REFRESH_SECONDS = 300;

export interface StateGroup {
  readonly state: PageObjectState;
  readonly count: number;
  readonly objects: readonly ObjectView[];
  /** Set when every object of the group has the same time; rows then leave it out (page size). */
  readonly groupTime?: TimeView;
  /** Every object of a ready group stays available. */
  readonly allStay: boolean;
}

/** How the request as a whole reads in the page's headline. */
export type Headline = 'requested' | 'restoring' | 'ready' | 'expired' | 'failed';

/**
 * "3–5 hours" (`range`), or "12 hours" to say "within 12 hours" when S3 gives no lower bound
 * (Deep Archive), as the emails phrase it.
 */
export interface TypicalDuration {
  readonly range: boolean;
  readonly text: string;
}

export interface StatusView {
  readonly requestId: string;
  readonly multi: boolean;
  readonly total: number;
  readonly counts: Readonly<Record<PageObjectState, number>>;
  /** Ready objects out of all, 0–100, rounded down (100 only when all are ready). */
  readonly readyPercent: number;
  /** `readyPercent` formatted for the locale ("62%", "62 %"). */
  readonly readyPercentText: string;
  readonly headline: Headline;
  /** Something is still requested or restoring: the page refreshes itself. */
  readonly pending: boolean;
  readonly refreshSeconds?: number;
  /** The same, ms (for the `duration` helper). */
  readonly refreshMs?: number;
  /** The latest expected time among restoring objects. */
  readonly expectedBy?: TimeView;
  readonly overdue: boolean;
  /** The earliest time a ready copy goes away. */
  readonly availableUntil?: TimeView;
  /** How long restores of this tier and class typically take once started. */
  readonly typical: TypicalDuration;
  readonly groups: readonly StateGroup[];
  readonly objects: readonly ObjectView[];
  /** The first object; the only one unless `multi`. */
  readonly object: ObjectView;
  /** When this view was made. */
  readonly asOf: TimeView;
}

export interface StatusViewInput {
  readonly request: RestoreRequest;
  /** Download links by object index (from `DownloadLinks.linksFor`). */
  readonly downloadUrls: ReadonlyMap<number, string>;
  readonly now: number;
  /** Locale and time zone to format for (already resolved; see the page renderer). */
  readonly locale: string;
  readonly timeZone: string;
}

/** Indexes of objects that can be downloaded now: the ones the page asks links for. */
export function downloadableIndexes(request: RestoreRequest, now: number): number[] {
  return request.objects.flatMap((_, index) =>
    pageState(request.objectStates[index], now) === 'ready' ? [index] : [],
  );
}

export function buildStatusView(input: StatusViewInput): StatusView {
  const { request, now } = input;
  const settings: RenderSettings = {
    locale: input.locale,
    timeZone: input.timeZone,
    now: new Date(now).toISOString(),
  };
  const multi = request.objects.length > 1;
  // Rows of a long list use the short date style; a single object gets the full one.
  const row: RowContext = { now, settings, dateStyle: multi ? 'short' : 'full' };
  const objects = request.objects.map((object, index) =>
    objectView(index, object.key, request.objectStates[index], input.downloadUrls.get(index), row),
  );
  const [first] = objects;
  if (first === undefined) throw new Error(`request ${request.id} has no objects`);
  const counts = countStates(objects);
  const pending = counts.requested + counts.restoring > 0;
  const readyPercent = Math.floor((counts.ready / objects.length) * 100);
  const states = request.objectStates;
  const expected = extreme(Math.max, objects, 'restoring', (index) => states[index]?.expectedBy);
  const expiry = extreme(Math.min, objects, 'ready', (index) => states[index]?.restoreExpiryTime);
  const storageClass = states.find((state) => state.storageClass)?.storageClass ?? undefined;
  const window = restoreWindow(request.tier, archiveFamily(storageClass));
  return {
    requestId: request.id,
    multi,
    total: objects.length,
    counts,
    readyPercent,
    readyPercentText: new Intl.NumberFormat(settings.locale, { style: 'percent' }).format(readyPercent / 100),
    headline: headline(counts),
    pending,
    ...(pending ? { refreshSeconds: REFRESH_SECONDS, refreshMs: REFRESH_SECONDS * 1000 } : {}),
    ...optional('expectedBy', timeView(expected, 'full', settings)),
    overdue: expected !== null && Date.parse(expected) < now,
    ...optional('availableUntil', timeView(expiry, 'full', settings)),
    typical:
      window.minMs > 0
        ? { range: true, text: formatDurationRange(window.minMs, window.maxMs, settings.locale) }
        : { range: false, text: formatDuration(window.maxMs, settings.locale) },
    groups: STATE_ORDER.flatMap((state) => {
      const members = objects.filter((view) => view.state === state);
      return members.length > 0 ? [group(state, members)] : [];
    }),
    objects,
    object: first,
    asOf: timeView(settings.now, 'short', settings)!,
  };
}

function group(state: PageObjectState, members: readonly ObjectView[]): StateGroup {
  const text = members[0]?.time?.text;
  const shared =
    members.length > 1 && text !== undefined && members.every((view) => view.time?.text === text);
  return {
    state,
    count: members.length,
    objects: members,
    ...optional('groupTime', shared ? members[0]?.time : undefined),
    allStay: state === 'ready' && members.every((view) => view.stays),
  };
}

function countStates(objects: readonly ObjectView[]): Record<PageObjectState, number> {
  const counts: Record<PageObjectState, number> = {
    requested: 0,
    restoring: 0,
    ready: 0,
    expired: 0,
    failed: 0,
  };
  for (const view of objects) counts[view.state] += 1;
  return counts;
}

function headline(counts: Readonly<Record<PageObjectState, number>>): Headline {
  if (counts.restoring > 0 || (counts.requested > 0 && counts.ready > 0)) return 'restoring';
  if (counts.requested > 0) return 'requested';
  if (counts.ready > 0) return 'ready';
  return counts.expired > 0 ? 'expired' : 'failed';
}

/** The latest (Math.max) or earliest (Math.min) time among objects in one state, ISO, or null. */
function extreme(
  pick: (...values: number[]) => number,
  objects: readonly ObjectView[],
  state: PageObjectState,
  timeOf: (index: number) => string | null | undefined,
): string | null {
  const times = objects.flatMap((view) => {
    const ms = view.state === state ? Date.parse(timeOf(view.index) ?? '') : Number.NaN;
    return Number.isNaN(ms) ? [] : [ms];
  });
  return times.length > 0 ? new Date(times.reduce((a, b) => pick(a, b))).toISOString() : null;
}
