import { readHead } from '../../src/restore/head-reading';
import type { ObjectRestoreState } from '../../src/restore/s3-restorer';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function head(overrides: Partial<ObjectRestoreState>): ObjectRestoreState {
  return { storageClass: 'GLACIER', archiveStatus: null, restore: null, size: 10, ...overrides };
}

describe('readHead', () => {
  it('reads an object that is not archived as available', () => {
    expect(readHead(head({ storageClass: 'STANDARD' }), NOW)).toEqual({ state: 'available' });
    expect(readHead(head({ storageClass: 'INTELLIGENT_TIERING' }), NOW)).toEqual({ state: 'available' });
  });

  it('reads an archived object without a restore as archived', () => {
    expect(readHead(head({}), NOW)).toEqual({ state: 'archived' });
    expect(
      readHead(head({ storageClass: 'INTELLIGENT_TIERING', archiveStatus: 'ARCHIVE_ACCESS' }), NOW),
    ).toEqual({ state: 'archived' });
  });

  it('reads a running restore as restoring', () => {
    expect(readHead(head({ restore: { ongoing: true, expiryDate: null } }), NOW)).toEqual({
      state: 'restoring',
    });
  });

  it('reads a live copy as restored, with its expiry', () => {
    const expiryDate = 'Fri, 03 May 2024 00:00:00 GMT';
    expect(readHead(head({ restore: { ongoing: false, expiryDate } }), NOW)).toEqual({
      state: 'restored',
      expiryDate,
    });
  });

  it('reads an expired copy, or one without an expiry, as gone', () => {
    const expiryDate = 'Tue, 30 Apr 2024 00:00:00 GMT';
    expect(readHead(head({ restore: { ongoing: false, expiryDate } }), NOW)).toEqual({ state: 'copy-gone' });
    expect(readHead(head({ restore: { ongoing: false, expiryDate: null } }), NOW)).toEqual({
      state: 'copy-gone',
    });
  });
});
