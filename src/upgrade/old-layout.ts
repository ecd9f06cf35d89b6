import { createRedisKeys, queuePrefix } from '../keys';
import { QUEUE_NAMES } from '../queue/queue-names';

/**
 * The key layout before 3, and where each of its keys goes. Before 3 every key began with
 * THAW_PREFIX exactly as written: thaw's own `<prefix>:req:<id>`, BullMQ's
 * `<prefix>:<queue>:<type>`. Layout 3 keeps every name after that part and changes only the part
 * before it (keys.ts): `{<bare>}` for thaw's keys, `{<bare>:<queue>}` for each queue's.
 *
 * Only the families thaw writes are matched, each below its own literal start, never `<prefix>*`:
 * a neighbour deployment on the same Redis with prefix `thaw:staging` has `thaw:staging:req:...`,
 * which `thaw:req:*` does not match, so migrating `thaw` never touches it.
 */
export interface KeyFamily {
  readonly owner: 'store' | 'queue';
  /** The old name, or the start shared by the family's old names (`thaw:req:`). */
  readonly from: string;
  /** What `from` becomes (`{thaw}:req:`); the rest of each name stays. */
  readonly to: string;
  /** `many`: every key whose name starts with `from`; `one`: the key `from` itself. */
  readonly span: 'many' | 'one';
}

/** Every family of the layout before 3 under THAW_PREFIX `prefix`, minus those already in place. */
export function oldLayoutFamilies(prefix: string): KeyFamily[] {
  // The names after the prefix come from keys.ts, so this list cannot drift from what thaw writes.
  const keys = createRedisKeys(prefix);
  const after = (name: string) => name.slice(keys.prefix.length);
  const store = (name: string, span: KeyFamily['span']): KeyFamily => ({
    owner: 'store',
    from: `${prefix}${after(name)}`,
    to: name,
    span,
  });
  const families: KeyFamily[] = [
    // `req:` also covers `req:<id>:spec` and `req:<id>:ev`; `idem:` both Idempotency-Key records.
    ...[
      keys.request(''),
      keys.objectIndexByDigest(''),
      keys.earlyEvents(''),
      keys.idempotency(''),
      keys.downloadToken(''),
      keys.pageToken(''),
    ].map((start) => store(start, 'many')),
    ...[keys.earlyIndex, keys.due, keys.remind, keys.outbox, keys.suppressed].map((name) =>
      store(name, 'one'),
    ),
    ...Object.values(QUEUE_NAMES).map((queue): KeyFamily => ({
      owner: 'queue',
      from: `${prefix}:${queue}:`,
      to: `${queuePrefix(prefix, queue)}:${queue}:`,
      span: 'many',
    })),
  ];
  // THAW_PREFIX `{thaw}`, as older docs advised: thaw's own keys already have their new names.
  return families.filter((family) => family.from !== family.to);
}

/** The SCAN MATCH pattern of a `many` family: its literal start, then anything. */
export function matchOf(family: KeyFamily): string {
  return `${globEscape(family.from)}*`;
}

/** The new name of one of the family's old keys. */
export function renamed(family: KeyFamily, oldName: string): string {
  return `${family.to}${oldName.slice(family.from.length)}`;
}

/** Redis' glob specials taken literally (a prefix may not hold them today; a name may). */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
