import { parseS3Records, parseS3RecordsWithSchema, readS3RecordFast } from '../../src/ingest/s3-event';
import {
  parseSnsBody,
  parseSnsBodyWithSchema,
  readSnsFieldsFast,
  type SnsMessageType,
} from '../../src/ingest/sns-message';

/**
 * parseSnsBody and parseS3Records read the common valid case by hand and leave everything else to
 * the zod schemas. These tests hold the fast path to the schema path: the same value (key order
 * included) for every valid input, and the same error (class, code, message) for every invalid one.
 */

type Outcome =
  | { readonly ok: unknown; readonly json: string }
  | {
      readonly error: {
        readonly class: string;
        readonly name: string;
        readonly code: unknown;
        readonly message: string;
        readonly httpStatus: unknown;
        readonly retryable: unknown;
        readonly cause: string | undefined;
      };
    };

function outcome(run: () => unknown): Outcome {
  try {
    const ok = run();
    return { ok, json: JSON.stringify(ok) };
  } catch (thrown) {
    const error = thrown as Error & Record<string, unknown>;
    const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : undefined;
    return {
      error: {
        class: error.constructor.name,
        name: error.name,
        code: error.code,
        message: error.message,
        httpStatus: error.httpStatus,
        retryable: error.retryable,
        cause,
      },
    };
  }
}

function expectSame(fast: Outcome, schema: Outcome): void {
  expect(fast).toEqual(schema);
  if ('ok' in fast && 'ok' in schema) {
    expect(fast.json).toBe(schema.json);
  }
}

/**
 * Runs `check` with `name` inherited from Object.prototype (not enumerable, so Jest's own
 * `for…in` loops are undisturbed; zod's `name in input` still sees it).
 */
function polluted(name: string, value: unknown, check: () => void): void {
  Object.defineProperty(Object.prototype, name, {
    value,
    configurable: true,
    writable: true,
    enumerable: false,
  });
  try {
    check();
  } finally {
    delete (Object.prototype as Record<string, unknown>)[name];
  }
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---------------------------------------------------------------------------------------------
// SNS envelopes

const SIGNATURE = {
  SignatureVersion: '2',
  Signature:
    'EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=',
  SigningCertURL:
    'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
};

const COMMON = {
  MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
  TopicArn: 'arn:aws:sns:us-west-2:123456789012:thaw-restore-events',
  Message: '{"Records":[]}',
  Timestamp: '2024-05-01T12:34:57.012Z',
};

const NOTIFICATION = {
  Type: 'Notification',
  ...COMMON,
  Subject: 'Amazon S3 Notification',
  ...SIGNATURE,
  UnsubscribeURL:
    'https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:thaw-restore-events:c9135db0',
};

const SUBSCRIPTION_CONFIRMATION = {
  Type: 'SubscriptionConfirmation',
  ...COMMON,
  Message:
    'You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:thaw-restore-events.',
  Token: '2336412f37fb687f5d51e6e2425dacbba7d3fdbd2d30bd6a8e1e1b7e0f5d8e1c',
  SubscribeURL:
    'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:thaw-restore-events&Token=2336412f',
  ...SIGNATURE,
};

const UNSUBSCRIBE_CONFIRMATION = {
  ...SUBSCRIPTION_CONFIRMATION,
  Type: 'UnsubscribeConfirmation',
  Message: 'You have chosen to deactivate subscription.',
};

function without<T extends object>(value: T, ...names: string[]): Record<string, unknown> {
  const copy = { ...value } as Record<string, unknown>;
  for (const name of names) delete copy[name];
  return copy;
}

const VALID_SNS: Record<string, Record<string, unknown>> = {
  'Notification with Subject': NOTIFICATION,
  'Notification with Subject null': { ...NOTIFICATION, Subject: null },
  'Notification without Subject': without(NOTIFICATION, 'Subject'),
  'Notification without UnsubscribeURL': without(NOTIFICATION, 'UnsubscribeURL'),
  'Notification with neither': without(NOTIFICATION, 'Subject', 'UnsubscribeURL'),
  'Notification with empty Message and Subject': { ...NOTIFICATION, Message: '', Subject: '' },
  'Notification with empty UnsubscribeURL': { ...NOTIFICATION, UnsubscribeURL: '' },
  'Notification with fields in another order': Object.fromEntries(Object.entries(NOTIFICATION).reverse()),
  'Notification with unknown fields': {
    extra: 1,
    ...NOTIFICATION,
    SubscribeURL: 'x',
    Token: 't',
    nested: { a: [1] },
  },
  'Notification with fields at their maximum length': {
    ...NOTIFICATION,
    MessageId: 'm'.repeat(256),
    TopicArn: 't'.repeat(1024),
    Timestamp: 's'.repeat(64),
    SignatureVersion: 'v'.repeat(8),
    Signature: 'g'.repeat(8192),
    SigningCertURL: 'c'.repeat(2048),
  },
  'Notification with one-character fields': {
    ...NOTIFICATION,
    MessageId: 'm',
    TopicArn: 't',
    Timestamp: 's',
    SignatureVersion: '1',
    Signature: 'g',
    SigningCertURL: 'c',
  },
  SubscriptionConfirmation: SUBSCRIPTION_CONFIRMATION,
  'SubscriptionConfirmation with unknown fields': {
    ...SUBSCRIPTION_CONFIRMATION,
    Subject: 'x',
    UnsubscribeURL: 'y',
  },
  UnsubscribeConfirmation: UNSUBSCRIBE_CONFIRMATION,
  'UnsubscribeConfirmation with maximum URL and Token': {
    ...UNSUBSCRIBE_CONFIRMATION,
    SubscribeURL: 'u'.repeat(4096),
    Token: 'k'.repeat(4096),
  },
};

const SNS_FIELDS = [
  'Type',
  'MessageId',
  'TopicArn',
  'Message',
  'Timestamp',
  'Subject',
  'UnsubscribeURL',
  'SubscribeURL',
  'Token',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
];

const MAX_LENGTH: Record<string, number> = {
  MessageId: 256,
  TopicArn: 1024,
  Timestamp: 64,
  SignatureVersion: 8,
  Signature: 8192,
  SigningCertURL: 2048,
  SubscribeURL: 4096,
  Token: 4096,
};

/** One astral code point: two UTF-16 units, one code point. */
const ASTRAL = '\u{1F9CA}';

function badValues(name: string): unknown[] {
  const values: unknown[] = [null, 0, 1, -1, 1.5, true, false, [], ['x'], {}, { a: 'b' }, '', ' ', 'x'];
  const max = MAX_LENGTH[name];
  if (max !== undefined) {
    values.push('x'.repeat(max), 'x'.repeat(max + 1), 'x'.repeat(max * 2));
    // Longer than the limit in UTF-16 units but not in code points, and over in both.
    values.push(ASTRAL.repeat(Math.ceil(max / 2) + 1), ASTRAL.repeat(max), ASTRAL.repeat(max + 1));
    values.push(`${'x'.repeat(max - 1)}${ASTRAL}`, `${'x'.repeat(max)}${ASTRAL}`, '\ud83e', '\udc00x');
  }
  return values;
}

function snsOutcomes(body: string, header: string | undefined): [Outcome, Outcome] {
  return [outcome(() => parseSnsBody(body, header)), outcome(() => parseSnsBodyWithSchema(body, header))];
}

describe('parseSnsBody fast path', () => {
  it.each(Object.entries(VALID_SNS))('%s: same value as the schema path, read without zod', (_, message) => {
    const body = JSON.stringify(message);
    const type = message.Type as SnsMessageType;
    for (const header of [undefined, type]) {
      const [fast, schema] = snsOutcomes(body, header);
      expect('ok' in schema).toBe(true);
      expectSame(fast, schema);
      if ('ok' in fast && 'ok' in schema) {
        expect(Object.keys(fast.ok as object)).toEqual(Object.keys(schema.ok as object));
      }
    }
    // The fast path itself answered (no fallback) for every valid body.
    const direct = readSnsFieldsFast(JSON.parse(body) as object, type);
    expect(direct).toBeDefined();
    expect(JSON.stringify(direct)).toBe(JSON.stringify(parseSnsBodyWithSchema(body, undefined)));
  });

  it('keeps Subject: null and leaves absent optional fields out, as zod does', () => {
    const withNull = parseSnsBody(JSON.stringify({ ...NOTIFICATION, Subject: null }), undefined);
    expect(withNull).toHaveProperty('Subject', null);
    const bare = parseSnsBody(JSON.stringify(without(NOTIFICATION, 'Subject', 'UnsubscribeURL')), undefined);
    expect(Object.hasOwn(bare, 'Subject')).toBe(false);
    expect(Object.hasOwn(bare, 'UnsubscribeURL')).toBe(false);
  });

  it('answers every mutation of every valid body exactly as the schema path does', () => {
    let compared = 0;
    let failed = 0;
    for (const message of Object.values(VALID_SNS)) {
      const type = message.Type as string;
      for (const name of [...SNS_FIELDS, 'constructor', 'toString', 'hasOwnProperty']) {
        const mutations: Record<string, unknown>[] = [without(message, name)];
        for (const value of badValues(name)) mutations.push({ ...message, [name]: value });
        for (const mutated of mutations) {
          for (const header of [undefined, type, 'Notification']) {
            const [fast, schema] = snsOutcomes(JSON.stringify(mutated), header);
            expectSame(fast, schema);
            compared += 1;
            if ('error' in schema) failed += 1;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(3000);
    expect(failed).toBeGreaterThan(1500);
  });

  it('treats __proto__ keys in the JSON as the schema path does', () => {
    const base = JSON.stringify(NOTIFICATION).slice(1, -1);
    const confirmation = JSON.stringify(SUBSCRIPTION_CONFIRMATION).slice(1, -1);
    const bodies = [
      `{"__proto__":{"Subject":5},${base}}`,
      `{"__proto__":{"UnsubscribeURL":"u","Token":"t"},${base}}`,
      `{"__proto__":null,${base}}`,
      `{"__proto__":[],${base}}`,
      `{"__proto__":{"Type":"Notification","MessageId":"m"},"Type":"Notification"}`,
      `{${base},"__proto__":{"Signature":"x"}}`,
      `{"__proto__":{"Signature":"x","SignatureVersion":"1","SigningCertURL":"c"},${JSON.stringify(
        without(NOTIFICATION, 'Signature', 'SignatureVersion', 'SigningCertURL'),
      ).slice(1, -1)}}`,
      `{"__proto__":{"SubscribeURL":"s"},${JSON.stringify(without(SUBSCRIPTION_CONFIRMATION, 'SubscribeURL')).slice(1, -1)}}`,
      `{"constructor":"x","toString":1,${confirmation}}`,
      `{"constructor":{"prototype":{"Subject":1}},${base}}`,
    ];
    for (const body of bodies) {
      for (const header of [undefined, 'Notification', 'SubscriptionConfirmation']) {
        const [fast, schema] = snsOutcomes(body, header);
        expectSame(fast, schema);
      }
    }
  });

  it('leaves fields inherited from a polluted Object.prototype to the schema path', () => {
    const pollutions: [string, unknown][] = [
      ['Subject', 'polluted'],
      ['Subject', 5],
      ['UnsubscribeURL', 'https://example.com/'],
      ['UnsubscribeURL', null],
      ['Token', 'inherited'],
    ];
    const bodies = [
      JSON.stringify(without(NOTIFICATION, 'Subject', 'UnsubscribeURL')),
      JSON.stringify(NOTIFICATION),
      JSON.stringify(without(SUBSCRIPTION_CONFIRMATION, 'Token')),
    ];
    for (const [name, value] of pollutions) {
      polluted(name, value, () => {
        for (const body of bodies) {
          const [fast, schema] = snsOutcomes(body, undefined);
          expectSame(fast, schema);
        }
      });
    }
  });

  it('gives the same errors before the schemas run', () => {
    for (const body of [
      '',
      'nope',
      '[]',
      'null',
      '1',
      '"Notification"',
      '{}',
      '{"Type":"Other"}',
      '{"Type":1}',
    ]) {
      for (const header of [undefined, 'Notification']) {
        const [fast, schema] = snsOutcomes(body, header);
        expect('error' in fast).toBe(true);
        expectSame(fast, schema);
      }
    }
    const [fast, schema] = snsOutcomes(JSON.stringify(NOTIFICATION), 'SubscriptionConfirmation');
    expectSame(fast, schema);
  });
});

// ---------------------------------------------------------------------------------------------
// S3 records

const COMPLETED = {
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: 'eu-west-1',
  eventTime: '2024-05-01T12:34:56.789Z',
  eventName: 'ObjectRestore:Completed',
  userIdentity: { principalId: 'AmazonCustomer:A1B2C3' },
  requestParameters: { sourceIPAddress: 's3.amazonaws.com' },
  responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjsk' },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId: 'thaw-restore',
    bucket: {
      name: 'customer-archive',
      ownerIdentity: { principalId: 'A3NL1KOZZKExample' },
      arn: 'arn:aws:s3:::x',
    },
    object: {
      key: 'projects/2019/raw+footage/clip+0001%28final%29.mov',
      size: 1048576000,
      eTag: 'd41d8cd98f00b204e9800998ecf8427e',
      versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      sequencer: '0055AED6DCD90281E5',
    },
  },
  glacierEventData: {
    restoreEventData: {
      lifecycleRestorationExpiryTime: '2024-05-08T00:00:00.000Z',
      lifecycleRestoreStorageClass: 'GLACIER',
    },
  },
};

type Json = Record<string, unknown>;

function withPath(record: Json, path: readonly string[], value: unknown, remove = false): Json {
  const copy = clone(record);
  let at: Json = copy;
  for (const step of path.slice(0, -1)) {
    const next = at[step];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) return copy;
    at = next as Json;
  }
  const last = path[path.length - 1] as string;
  if (remove) delete at[last];
  else at[last] = value;
  return copy;
}

const POST = withPath(
  withPath(withPath(COMPLETED, ['eventName'], 'ObjectRestore:Post'), ['glacierEventData'], undefined, true),
  ['eventVersion'],
  '2.0',
);

const VALID_RECORDS: Record<string, Json> = {
  completed: COMPLETED,
  post: POST,
  'delete (expired)': withPath(COMPLETED, ['eventName'], 'ObjectRestore:Delete'),
  'without versionId': withPath(COMPLETED, ['s3', 'object', 'versionId'], undefined, true),
  'versionId null': withPath(COMPLETED, ['s3', 'object', 'versionId'], null),
  'without sequencer': withPath(COMPLETED, ['s3', 'object', 'sequencer'], undefined, true),
  'lower-case sequencer': withPath(COMPLETED, ['s3', 'object', 'sequencer'], '0055aed6dcd90281e5'),
  'size as a digit string': withPath(COMPLETED, ['s3', 'object', 'size'], '1048576000'),
  'size as a zero-padded digit string': withPath(COMPLETED, ['s3', 'object', 'size'], '000123'),
  'size zero': withPath(COMPLETED, ['s3', 'object', 'size'], 0),
  'size fractional': withPath(COMPLETED, ['s3', 'object', 'size'], 1.5),
  'size negative': withPath(COMPLETED, ['s3', 'object', 'size'], -3),
  'size null': withPath(COMPLETED, ['s3', 'object', 'size'], null),
  'without size': withPath(COMPLETED, ['s3', 'object', 'size'], undefined, true),
  'without eTag': withPath(COMPLETED, ['s3', 'object', 'eTag'], undefined, true),
  'eTag empty': withPath(COMPLETED, ['s3', 'object', 'eTag'], ''),
  'glacierEventData null': withPath(COMPLETED, ['glacierEventData'], null),
  'without glacierEventData': withPath(COMPLETED, ['glacierEventData'], undefined, true),
  'glacierEventData empty': withPath(COMPLETED, ['glacierEventData'], {}),
  'restoreEventData null': withPath(COMPLETED, ['glacierEventData', 'restoreEventData'], null),
  'restoreEventData empty': withPath(COMPLETED, ['glacierEventData', 'restoreEventData'], {}),
  'expiry null': withPath(
    COMPLETED,
    ['glacierEventData', 'restoreEventData', 'lifecycleRestorationExpiryTime'],
    null,
  ),
  'expiry in another format': withPath(
    COMPLETED,
    ['glacierEventData', 'restoreEventData', 'lifecycleRestorationExpiryTime'],
    'Wed, 08 May 2024 00:00:00 GMT',
  ),
  'storage class null': withPath(
    COMPLETED,
    ['glacierEventData', 'restoreEventData', 'lifecycleRestoreStorageClass'],
    null,
  ),
  'responseElements null': withPath(COMPLETED, ['responseElements'], null),
  'without responseElements': withPath(COMPLETED, ['responseElements'], undefined, true),
  'responseElements empty': withPath(COMPLETED, ['responseElements'], {}),
  'eventVersion 2.10': withPath(COMPLETED, ['eventVersion'], '2.10'),
  'eventTime without milliseconds': withPath(COMPLETED, ['eventTime'], '2024-05-01T12:34:56Z'),
  'key with a space and unicode': withPath(COMPLETED, ['s3', 'object', 'key'], 'a+b/%E2%9C%93+c.txt'),
  'bucket name at 255': withPath(COMPLETED, ['s3', 'bucket', 'name'], 'b'.repeat(255)),
  'key at 4096': withPath(COMPLETED, ['s3', 'object', 'key'], 'k'.repeat(4096)),
  'unknown fields': { ...COMPLETED, extra: [1, 2], s3: { ...COMPLETED.s3, extra: null } },
  'non-restore put': withPath(COMPLETED, ['eventName'], 'ObjectCreated:Put'),
  'non-restore with a long name': { eventName: `Other:${'x'.repeat(100)}` },
  'non-restore with nothing else': { eventName: 'ObjectRemoved:Delete' },
  'non-restore named constructor': { eventName: 'constructor' },
  'non-restore named __proto__': { eventName: '__proto__' },
};

const RECORD_PATHS: readonly (readonly string[])[] = [
  ['eventVersion'],
  ['eventSource'],
  ['eventTime'],
  ['eventName'],
  ['responseElements'],
  ['responseElements', 'x-amz-request-id'],
  ['s3'],
  ['s3', 'bucket'],
  ['s3', 'bucket', 'name'],
  ['s3', 'object'],
  ['s3', 'object', 'key'],
  ['s3', 'object', 'size'],
  ['s3', 'object', 'eTag'],
  ['s3', 'object', 'versionId'],
  ['s3', 'object', 'sequencer'],
  ['glacierEventData'],
  ['glacierEventData', 'restoreEventData'],
  ['glacierEventData', 'restoreEventData', 'lifecycleRestorationExpiryTime'],
  ['glacierEventData', 'restoreEventData', 'lifecycleRestoreStorageClass'],
  ['constructor'],
  ['__proto__'],
];

const RECORD_VALUES: unknown[] = [
  undefined,
  null,
  0,
  7,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  '',
  ' ',
  'abc',
  '123',
  ' 123',
  '123\n',
  '1e3',
  '-1',
  '0x1F',
  'DEADbeef',
  'xyz!',
  '2.1',
  '2.',
  '3.0',
  '2.1\n',
  ' 2.1',
  '2024-05-01T12:34:56Z',
  'not a date',
  'aws:s3',
  'aws:S3',
  'ObjectRestore:Completed',
  'ObjectRestore:Post',
  'ObjectCreated:Put',
  '%',
  '%E0%A4%A',
  'k'.repeat(255),
  'k'.repeat(256),
  'k'.repeat(4097),
  ASTRAL.repeat(200),
  ASTRAL.repeat(2100),
  ASTRAL.repeat(4097),
  [],
  ['a'],
  {},
  { name: 'b', key: 'k' },
  { 'x-amz-request-id': 5 },
  { 'x-amz-request-id': null },
  { restoreEventData: [] },
  { lifecycleRestorationExpiryTime: 'soon' },
];

function s3Outcomes(records: unknown): [Outcome, Outcome] {
  return [outcome(() => parseS3Records(records)), outcome(() => parseS3RecordsWithSchema(records))];
}

describe('parseS3Records fast path', () => {
  it.each(Object.entries(VALID_RECORDS))(
    '%s: same value as the schema path, read without zod',
    (_, record) => {
      const [fast, schema] = s3Outcomes([record]);
      expect('ok' in schema).toBe(true);
      expectSame(fast, schema);
      expect(readS3RecordFast(record)).toBeDefined();
      // Round-tripped through JSON, as parseRestoreMessage hands them over.
      expectSame(...s3Outcomes(clone([record])));
    },
  );

  it('reads several records, restore and not, in order', () => {
    const records = Object.values(VALID_RECORDS);
    const [fast, schema] = s3Outcomes(records);
    expectSame(fast, schema);
    if (!('ok' in fast)) throw new Error('expected a value');
    const result = fast.ok as { events: unknown[]; ignoredEventNames: string[] };
    expect(result.events.length).toBeGreaterThan(20);
    expect(result.ignoredEventNames.length).toBe(5);
    expectSame(...s3Outcomes([...records].reverse()));
  });

  it('answers every mutation of every valid record exactly as the schema path does', () => {
    let compared = 0;
    let failed = 0;
    const bases = [
      COMPLETED,
      POST,
      VALID_RECORDS['non-restore put'] as Json,
      VALID_RECORDS['glacierEventData null'] as Json,
    ];
    for (const base of bases) {
      for (const path of RECORD_PATHS) {
        const mutations = [withPath(base, path, undefined, true)];
        for (const value of RECORD_VALUES) {
          // Own-undefined fields survive only outside JSON; the JSON copy drops them.
          const mutated = withPath(base, path, undefined, true);
          let at: Json = mutated;
          for (const step of path.slice(0, -1)) {
            const next = at[step];
            if (typeof next !== 'object' || next === null || Array.isArray(next)) break;
            at = next as Json;
          }
          Object.defineProperty(at, path[path.length - 1] as string, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          mutations.push(mutated);
        }
        for (const mutated of mutations) {
          for (const records of [[mutated], [COMPLETED, mutated, POST]]) {
            const [fast, schema] = s3Outcomes(records);
            expectSame(fast, schema);
            const [fastJson, schemaJson] = s3Outcomes(clone(records));
            expectSame(fastJson, schemaJson);
            compared += 2;
            if ('error' in schema) failed += 1;
            if ('error' in schemaJson) failed += 1;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(6000);
    expect(failed).toBeGreaterThan(2000);
  });

  it('gives the same errors for records that are not objects or have no eventName', () => {
    const inputs: unknown[] = [
      undefined,
      null,
      {},
      [],
      'Records',
      [null],
      [[]],
      ['x'],
      [1],
      [{}],
      [{ eventName: 5 }],
    ];
    for (const records of inputs) {
      const [fast, schema] = s3Outcomes(records);
      expect('error' in fast).toBe(true);
      expectSame(fast, schema);
    }
  });

  it('treats __proto__ keys in the JSON as the schema path does', () => {
    const completed = JSON.stringify(COMPLETED).slice(1, -1);
    const bodies = [
      `[{"__proto__":{"eventName":"ObjectRestore:Completed"},"eventName":"ObjectCreated:Put"}]`,
      `[{"__proto__":{"eventName":"ObjectRestore:Completed"}}]`,
      `[{"__proto__":{"s3":{"bucket":{"name":"b"},"object":{"key":"k"}}},${JSON.stringify(
        without(COMPLETED, 's3'),
      ).slice(1, -1)}}]`,
      `[{"__proto__":{"glacierEventData":5},${completed}}]`,
      `[{${completed},"__proto__":null}]`,
      `[{"s3":{"__proto__":{"bucket":1},"bucket":{"name":"b"},"object":{"key":"k"}},${JSON.stringify(
        without(COMPLETED, 's3'),
      ).slice(1, -1)}}]`,
      `[{"responseElements":{"__proto__":{"x-amz-request-id":"r"}},${JSON.stringify(
        without(COMPLETED, 'responseElements'),
      ).slice(1, -1)}}]`,
    ];
    for (const body of bodies) {
      expectSame(...s3Outcomes(JSON.parse(body)));
    }
  });

  it('leaves fields inherited from a polluted Object.prototype to the schema path', () => {
    const pollutions: [string, unknown][] = [
      ['glacierEventData', 5],
      ['glacierEventData', { restoreEventData: { lifecycleRestoreStorageClass: 'DEEP_ARCHIVE' } }],
      ['responseElements', []],
      ['x-amz-request-id', 'inherited'],
      ['versionId', 'inherited'],
      ['size', '12'],
      ['sequencer', 'not hex'],
      ['lifecycleRestorationExpiryTime', '2030-01-01T00:00:00Z'],
    ];
    const records = [
      without(COMPLETED, 'glacierEventData', 'responseElements'),
      withPath(withPath(COMPLETED, ['responseElements'], {}), ['glacierEventData', 'restoreEventData'], {}),
      withPath(
        withPath(COMPLETED, ['s3', 'object'], { key: 'k' }),
        ['glacierEventData', 'restoreEventData'],
        {},
      ),
    ];
    for (const [name, value] of pollutions) {
      polluted(name, value, () => {
        const fastReads = records.map((record) => readS3RecordFast(record));
        // Wherever the inherited name is looked up, the fast path steps aside.
        expect(fastReads.some((read) => read === undefined)).toBe(true);
        for (const record of records) expectSame(...s3Outcomes([record]));
      });
    }
  });
});
