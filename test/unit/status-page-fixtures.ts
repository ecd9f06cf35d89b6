import type { ObjectState, Recipient, RestoreRequest } from '../../src/domain/restore-request';

/** Fixed "now" for page tests: Saturday 28 November 2026, 10:00 UTC. */
export const NOW = Date.parse('2026-11-28T10:00:00Z');

export function objectState(overrides: Partial<ObjectState> = {}): ObjectState {
  return {
    status: 'requested',
    storageClass: 'GLACIER',
    restoreExpiryTime: null,
    expectedBy: null,
    failureReason: null,
    size: 1_234_567,
    downloadedAt: null,
    ...overrides,
  };
}

/** A stored request with one object per state given (keys `files/<index>.bin` unless named). */
export function storedRequest(
  states: readonly ObjectState[],
  overrides: { recipient?: Partial<Recipient>; keys?: readonly string[]; id?: string } = {},
): RestoreRequest {
  return {
    id: overrides.id ?? 'r_fixture0000000000000000',
    objects: states.map((_, index) => ({
      bucket: 'archive',
      key: overrides.keys?.[index] ?? `files/${index}.bin`,
      versionId: null,
    })),
    single: states.length === 1,
    tier: 'Standard',
    days: 7,
    initiate: true,
    fallbackTier: null,
    recipient: {
      email: 'ada@example.com',
      locale: 'en',
      timeZone: 'America/Los_Angeles',
      ...overrides.recipient,
    },
    remindBeforeExpiry: false,
    status: 'initiated',
    objectStates: states,
    events: [],
    notifications: [],
    createdAt: '2026-11-28T08:00:00.000Z',
    updatedAt: '2026-11-28T09:00:00.000Z',
    cancelledAt: null,
  };
}

/** `/d/<token>`-shaped links for the given indexes. */
export function linksFor(indexes: readonly number[]): Map<number, string> {
  return new Map(
    indexes.map((index) => [index, `https://restores.example.com/d/token-${index}-abcdefghijklmnop`]),
  );
}
