import type { ObjectRestoreState } from '../../src/restore/s3-restorer';
import { restoreCommandFor } from '../../src/restore/s3-sdk-restorer';

describe('restoreCommandFor', () => {
  const state = (storageClass: string, archiveStatus: string | null = null): ObjectRestoreState => ({
    storageClass,
    archiveStatus,
    restore: null,
    size: 1,
  });

  it('keeps tier and days for Glacier Flexible Retrieval', () => {
    expect(restoreCommandFor(state('GLACIER'), 'Expedited', 5)).toEqual({ tier: 'Expedited', days: 5 });
  });

  it('downgrades Expedited to Standard for Deep Archive, keeping days', () => {
    expect(restoreCommandFor(state('DEEP_ARCHIVE'), 'Expedited', 5)).toEqual({ tier: 'Standard', days: 5 });
    expect(restoreCommandFor(state('DEEP_ARCHIVE'), 'Bulk', 5)).toEqual({ tier: 'Bulk', days: 5 });
  });

  it('drops days for Intelligent-Tiering and keeps Expedited in Archive Access', () => {
    expect(restoreCommandFor(state('INTELLIGENT_TIERING', 'ARCHIVE_ACCESS'), 'Expedited', 5)).toEqual({
      tier: 'Expedited',
      days: null,
    });
  });

  it('drops days and downgrades Expedited in Intelligent-Tiering Deep Archive Access', () => {
    expect(restoreCommandFor(state('INTELLIGENT_TIERING', 'DEEP_ARCHIVE_ACCESS'), 'Expedited', 5)).toEqual({
      tier: 'Standard',
      days: null,
    });
  });
});
