import { classifyFailure } from '../../src/domain/failure-kind';
import { pageState } from '../../src/pages/object-view';
import { REFRESH_SECONDS, buildStatusView, downloadableIndexes } from '../../src/pages/status-view-model';
import type { StatusViewInput } from '../../src/pages/status-view-model';
import { NOW, linksFor, objectState, storedRequest } from './status-page-fixtures';

/** Intl puts narrow no-break spaces before AM/PM; compare with plain spaces. */
const plain = (text: string | undefined): string => (text ?? '').replace(/\s/g, ' ');

function view(input: Partial<StatusViewInput> & Pick<StatusViewInput, 'request'>) {
  return buildStatusView({
    downloadUrls: new Map(),
    now: NOW,
    locale: 'en',
    timeZone: input.request.recipient.timeZone,
    ...input,
  });
}

describe('pageState: stored status → customer words', () => {
  it('maps each stored status, and a completed copy past its expiry to expired', () => {
    expect(pageState(objectState({ status: 'requested' }), NOW)).toBe('requested');
    expect(pageState(objectState({ status: 'initiated' }), NOW)).toBe('restoring');
    expect(pageState(objectState({ status: 'completed' }), NOW)).toBe('ready');
    expect(pageState(objectState({ status: 'expired' }), NOW)).toBe('expired');
    expect(pageState(objectState({ status: 'failed' }), NOW)).toBe('failed');
    expect(pageState(undefined, NOW)).toBe('requested');
    const past = objectState({ status: 'completed', restoreExpiryTime: '2026-11-28T09:59:59Z' });
    const future = objectState({ status: 'completed', restoreExpiryTime: '2026-11-28T10:00:01Z' });
    expect(pageState(past, NOW)).toBe('expired');
    expect(pageState(future, NOW)).toBe('ready');
  });

  it('asks for download links only for objects that can be downloaded now', () => {
    const request = storedRequest([
      objectState({ status: 'completed', restoreExpiryTime: '2026-12-01T00:00:00Z' }),
      objectState({ status: 'initiated' }),
      objectState({ status: 'completed' }),
      objectState({ status: 'completed', restoreExpiryTime: '2026-11-01T00:00:00Z' }),
      objectState({ status: 'expired' }),
    ]);
    expect(downloadableIndexes(request, NOW)).toEqual([0, 2]);
  });
});

describe('buildStatusView: one object', () => {
  it('waiting to start: pending, refreshes, says how long a restore usually takes', () => {
    const result = view({ request: storedRequest([objectState()]) });
    expect(result.multi).toBe(false);
    expect(result.headline).toBe('requested');
    expect(result.object.state).toBe('requested');
    expect(result.pending).toBe(true);
    expect(result.refreshSeconds).toBe(REFRESH_SECONDS);
    expect(result.typical).toEqual({ range: true, text: '3–5 hours' });
    expect(result.object.size).toBe('1.2 MB');
  });

  it('restoring: the expected time in the recipient’s zone, with a relative phrase', () => {
    const request = storedRequest([objectState({ status: 'initiated', expectedBy: '2026-11-28T20:00:00Z' })]);
    const result = view({ request });
    expect(result.headline).toBe('restoring');
    expect(plain(result.expectedBy?.text)).toBe('Saturday, November 28, 2026 at 12:00 PM PST');
    expect(result.expectedBy?.relative).toBe('in 10 hours');
    expect(result.expectedBy?.iso).toBe('2026-11-28T20:00:00.000Z');
    expect(result.overdue).toBe(false);
    expect(plain(result.object.time?.text)).toBe('Saturday, November 28, 2026 at 12:00 PM PST');

    const berlin = view({ request, locale: 'de', timeZone: 'Europe/Berlin' });
    expect(plain(berlin.expectedBy?.text)).toBe('Samstag, 28. November 2026 um 21:00 MEZ');
    expect(berlin.expectedBy?.relative).toBe('in 10 Stunden');
  });

  it('restoring past the expected time is overdue', () => {
    const request = storedRequest([objectState({ status: 'initiated', expectedBy: '2026-11-28T06:00:00Z' })]);
    const result = view({ request });
    expect(result.overdue).toBe(true);
    expect(result.object.overdue).toBe(true);
    expect(result.expectedBy?.relative).toBe('4 hours ago');
  });

  it('ready: the download link, when the copy goes away, no refresh', () => {
    const request = storedRequest([
      objectState({ status: 'completed', restoreExpiryTime: '2026-12-05T00:00:00Z' }),
    ]);
    const result = view({ request, downloadUrls: linksFor([0]) });
    expect(result.headline).toBe('ready');
    expect(result.object.downloadUrl).toBe('https://restores.example.com/d/token-0-abcdefghijklmnop');
    expect(plain(result.availableUntil?.text)).toBe('Friday, December 4, 2026 at 4:00 PM PST');
    expect(result.object.stays).toBe(false);
    expect(result.pending).toBe(false);
    expect(result.refreshSeconds).toBeUndefined();
  });

  it('ready from Intelligent-Tiering: no expiry, so it stays available', () => {
    const request = storedRequest([
      objectState({ status: 'completed', storageClass: 'INTELLIGENT_TIERING', restoreExpiryTime: null }),
    ]);
    const result = view({ request, downloadUrls: linksFor([0]) });
    expect(result.object.stays).toBe(true);
    expect(result.object.time).toBeUndefined();
    expect(result.availableUntil).toBeUndefined();
    expect(result.groups[0]?.allStay).toBe(true);
  });

  it('drops links that are not http(s)', () => {
    const request = storedRequest([objectState({ status: 'completed' })]);
    const result = view({ request, downloadUrls: new Map([[0, 'javascript:alert(1)']]) });
    expect(result.object.downloadUrl).toBeUndefined();
  });

  it('expired: when the copy went; failed: a gentle kind of reason, never the raw one', () => {
    const expired = view({
      request: storedRequest([objectState({ status: 'expired', restoreExpiryTime: '2026-11-27T00:00:00Z' })]),
    });
    expect(expired.headline).toBe('expired');
    expect(expired.object.time?.iso).toBe('2026-11-27T00:00:00.000Z');
    const failed = view({
      request: storedRequest([
        objectState({ status: 'failed', failureReason: 'the object no longer exists in S3' }),
      ]),
    });
    expect(failed.headline).toBe('failed');
    expect(failed.object.failure).toBe('missing');
    expect(JSON.stringify(failed)).not.toContain('no longer exists in S3');
  });

  it('cleans control and bidi characters out of keys (they stay user data for escaping)', () => {
    const request = storedRequest([objectState()], { keys: ['invoice\u202Egpj.exe<b>'] });
    const result = view({ request });
    expect(result.object.key).toBe('invoice\uFFFDgpj.exe<b>');
    expect(result.object.name).toBe('invoice\uFFFDgpj.exe<b>');
  });
});

describe('buildStatusView: several objects', () => {
  const mixed = storedRequest([
    objectState({ status: 'completed', restoreExpiryTime: '2026-12-05T00:00:00Z' }),
    objectState({ status: 'completed', restoreExpiryTime: '2026-12-03T00:00:00Z' }),
    objectState({ status: 'initiated', expectedBy: '2026-11-28T14:00:00Z' }),
    objectState({ status: 'initiated', expectedBy: '2026-11-28T15:00:00Z' }),
    objectState({ status: 'requested' }),
    objectState({ status: 'failed', failureReason: 'the restore never started: S3 shows no restore' }),
    objectState({ status: 'expired' }),
    objectState({ status: 'completed', restoreExpiryTime: '2026-11-20T00:00:00Z' }),
  ]);

  it('counts each state, the ready share, and orders sections ready first', () => {
    const result = view({ request: mixed, downloadUrls: linksFor([0, 1]) });
    expect(result.multi).toBe(true);
    expect(result.total).toBe(8);
    expect(result.counts).toEqual({ ready: 2, restoring: 2, requested: 1, failed: 1, expired: 2 });
    expect(result.readyPercent).toBe(25);
    expect(result.readyPercentText).toBe('25%');
    expect(result.headline).toBe('restoring');
    expect(result.pending).toBe(true);
    expect(result.groups.map((group) => [group.state, group.count])).toEqual([
      ['ready', 2],
      ['restoring', 2],
      ['requested', 1],
      ['failed', 1],
      ['expired', 2],
    ]);
    expect(result.groups[3]?.objects[0]?.failure).toBe('not-started');
  });

  it('summarises times: the latest expected, the earliest expiry; rows use the short style', () => {
    const result = view({ request: mixed });
    expect(plain(result.expectedBy?.text)).toBe('Saturday, November 28, 2026 at 7:00 AM PST');
    expect(plain(result.availableUntil?.text)).toBe('Wednesday, December 2, 2026 at 4:00 PM PST');
    expect(plain(result.objects[0]?.time?.text)).toBe('Dec 4, 4:00 PM PST');
    const de = view({ request: mixed, locale: 'de-AT', timeZone: 'Europe/Vienna' });
    expect(plain(de.readyPercentText)).toBe('25 %');
    expect(plain(de.objects[0]?.time?.text)).toBe('5. Dez., 01:00 MEZ');
  });

  it('says a time the whole group shares once, not per row', () => {
    const same = '2026-12-05T00:00:00Z';
    const request = storedRequest([
      objectState({ status: 'completed', restoreExpiryTime: same }),
      objectState({ status: 'completed', restoreExpiryTime: same }),
      objectState({ status: 'initiated', expectedBy: '2026-11-28T14:00:00Z' }),
      objectState({ status: 'initiated', expectedBy: '2026-11-28T15:00:00Z' }),
    ]);
    const result = view({ request });
    expect(result.groups[0]?.groupTime?.iso).toBe('2026-12-05T00:00:00.000Z');
    expect(result.groups[1]?.groupTime).toBeUndefined();
  });

  it('is all ready at 100% only when every object is; rounds down otherwise', () => {
    const states = Array.from({ length: 500 }, (_, index) =>
      objectState({ status: index < 499 ? 'completed' : 'initiated' }),
    );
    const almost = view({ request: storedRequest(states) });
    expect(almost.counts.ready).toBe(499);
    expect(almost.readyPercent).toBe(99);
    const done = view({ request: storedRequest(states.map(() => objectState({ status: 'completed' }))) });
    expect(done.readyPercent).toBe(100);
    expect(done.headline).toBe('ready');
    expect(done.pending).toBe(false);
  });

  it('reads as ready when nothing is pending, even with some failed', () => {
    const request = storedRequest([objectState({ status: 'completed' }), objectState({ status: 'failed' })]);
    expect(view({ request }).headline).toBe('ready');
    const gone = storedRequest([objectState({ status: 'expired' }), objectState({ status: 'failed' })]);
    expect(view({ request: gone }).headline).toBe('expired');
  });

  it('says "within" for Deep Archive, whose window has no lower bound', () => {
    const request = storedRequest([objectState({ storageClass: 'DEEP_ARCHIVE' }), objectState()]);
    expect(view({ request }).typical).toEqual({ range: false, text: '12 hours' });
  });
});

describe('classifyFailure', () => {
  it('sorts thaw’s own reasons into gentle kinds', () => {
    expect(classifyFailure('the object no longer exists in S3')).toBe('missing');
    expect(classifyFailure('the restore never started: S3 shows no restore for this object')).toBe(
      'not-started',
    );
    expect(classifyFailure('AccessDenied')).toBe('other');
    expect(classifyFailure(null)).toBe('other');
  });
});
