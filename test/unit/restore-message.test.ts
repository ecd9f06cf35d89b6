import { parseRestoreMessage } from '../../src/ingest/restore-message';
import { eventBridgeMessage, s3NotificationMessage } from '../../src/simulate/restore-notifications';

/** Verbatim captured ObjectRestore:Completed records: docs/EVENTS.md#captured-s3-restore-records. */
const REAL_COMPLETED = {
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: 'ap-northeast-2',
  eventTime: '2024-04-06T00:11:23.730Z',
  eventName: 'ObjectRestore:Completed',
  userIdentity: { principalId: 'AmazonCustomer:A1JPP2WW1ZYN4F' },
  requestParameters: { sourceIPAddress: 's3.amazonaws.com' },
  responseElements: {
    'x-amz-request-id': '439897F6741FD9BA',
    'x-amz-id-2': 'MF0oW9le+g8K5/R/uUks1QuFbZxNuSmZDWQ5utu8ZTcHEKSGFHzdFBEtebICzrPtG3YL1YVmffxhRw4nDPTZ1w==',
  },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId: 'BagCreatedNotification',
    bucket: {
      name: 'glacier.staging.nlm.bdrc.org',
      ownerIdentity: { principalId: 'A1JPP2WW1ZYN4F' },
      arn: 'arn:aws:s3:::glacier.staging.nlm.bdrc.org',
    },
    object: {
      key: 'Archive0/00/W1NLM4700/W1NLM4700.bag.zip',
      size: 17017201852,
      eTag: '41654cbd2a8f2d3c0abc83444fde825b-2029',
      sequencer: '00638792A45B638391',
    },
  },
  glacierEventData: {
    restoreEventData: {
      lifecycleRestorationExpiryTime: '2024-04-12T00:00:00.000Z',
      lifecycleRestoreStorageClass: 'DEEP_ARCHIVE',
    },
  },
};

const REAL_COMPLETED_VERSIONED = {
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: 'us-east-1',
  eventTime: '2024-02-24T08:47:18.267Z',
  eventName: 'ObjectRestore:Completed',
  userIdentity: { principalId: 'AmazonCustomer:A1JPP2WW1ZYN4F' },
  requestParameters: { sourceIPAddress: 's3.amazonaws.com' },
  responseElements: { 'x-amz-request-id': '6E5A5E04B1CFFAC5', 'x-amz-id-2': 'Tt/6gfwu' },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId: 'MGU5Zjk3MzItMjQ4Yi00MTU0LTk4ZGItNDBjYjU1MzhjMGU3',
    bucket: {
      name: 'manifest.bdrc.org',
      ownerIdentity: { principalId: 'A1JPP2WW1ZYN4F' },
      arn: 'arn:aws:s3:::manifest.bdrc.org',
    },
    object: {
      key: 'ao1060/W1FPL2251.bag.zip',
      size: 78668981,
      eTag: '405202973fc17c6f4b26cb56022c6201-10',
      versionId: 'vwfO4VqvGTlWeuSAtXDOhPzFhl.6YrSG',
      sequencer: '0065C3D18445E403D5',
    },
  },
  glacierEventData: {
    restoreEventData: {
      lifecycleRestorationExpiryTime: '2024-03-06T00:00:00.000Z',
      lifecycleRestoreStorageClass: 'DEEP_ARCHIVE',
    },
  },
};

/** nasa/cumulus-orca test data: docs/EVENTS.md#captured-s3-restore-records. */
const POST_RECORD = {
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: 'us-west-2',
  eventTime: '2019-06-17T18:54:06.686Z',
  eventName: 'ObjectRestore:Post',
  userIdentity: { principalId: 'AWS:AROAJWCXJRRWM3EZMHUPO:request_files' },
  requestParameters: { sourceIPAddress: '34.217.126.178' },
  responseElements: { 'x-amz-request-id': '0364DD02830B32C0', 'x-amz-id-2': '4TpisFACX0' },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId: 'dr_restore_complete',
    bucket: {
      name: 'my-dr-fake-glacier-bucket',
      ownerIdentity: { principalId: 'A1BCBUS3XDGCJ9' },
      arn: 'arn:aws:s3:::my-dr-fake-glacier-bucket',
    },
    object: {
      key: 'dr-glacier/MOD09GQ.A0219114.N5aUCG.006.0656338553321.txt',
      size: 645,
      sequencer: '005CED95BF54A126FB',
    },
  },
};

/** Verbatim AWS sample: docs/EVENTS.md#eventbridge-restore-events. */
const EVENTBRIDGE_COMPLETED = {
  version: '0',
  id: '6924de0d-13e2-6bbf-c0c1-b903b753565e',
  'detail-type': 'Object Restore Completed',
  source: 'aws.s3',
  account: '111122223333',
  time: '2021-11-12T00:00:00Z',
  region: 'ca-central-1',
  resources: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET1'],
  detail: {
    version: '0',
    bucket: { name: 'DOC-EXAMPLE-BUCKET1' },
    object: {
      key: 'example-key',
      size: 5,
      etag: 'b1946ac92492d2347c6235b4d2611184',
      'version-id': 'KKsjUC1.6gIjqtvhfg5AdMI0eCePIiT3',
    },
    'request-id': '189F19CB7FB1B6A4',
    requester: 's3.amazonaws.com',
    'restore-expiry-time': '2021-11-13T00:00:00Z',
    'source-storage-class': 'GLACIER',
  },
};

function eventsOf(message: string) {
  const parsed = parseRestoreMessage(message, true);
  if (parsed.kind !== 'events') throw new Error(`expected events, got ${parsed.kind}`);
  return parsed.events;
}

describe('S3 event notifications', () => {
  it('normalises the real captured Completed record', () => {
    expect(eventsOf(JSON.stringify({ Records: [REAL_COMPLETED] }))).toEqual([
      {
        kind: 'completed',
        bucket: 'glacier.staging.nlm.bdrc.org',
        key: 'Archive0/00/W1NLM4700/W1NLM4700.bag.zip',
        versionId: null,
        size: 17017201852,
        eTag: '41654cbd2a8f2d3c0abc83444fde825b-2029',
        sequencer: '00638792A45B638391',
        eventTime: '2024-04-06T00:11:23.730Z',
        restoreExpiryTime: '2024-04-12T00:00:00.000Z',
        storageClass: 'DEEP_ARCHIVE',
        source: 's3',
        s3RequestId: '439897F6741FD9BA',
      },
    ]);
  });

  it('keeps the version of a versioned bucket and reads Post records', () => {
    const [completed, post] = eventsOf(JSON.stringify({ Records: [REAL_COMPLETED_VERSIONED, POST_RECORD] }));
    expect(completed).toMatchObject({ kind: 'completed', versionId: 'vwfO4VqvGTlWeuSAtXDOhPzFhl.6YrSG' });
    expect(post).toMatchObject({
      kind: 'initiated',
      key: 'dr-glacier/MOD09GQ.A0219114.N5aUCG.006.0656338553321.txt',
      size: 645,
      versionId: null,
    });
    expect(post).not.toHaveProperty('restoreExpiryTime');
  });

  it('reads Delete records as expired, with versionId null treated as absent', () => {
    const record = { ...POST_RECORD, eventName: 'ObjectRestore:Delete', eventVersion: '2.3' };
    record.s3 = { ...record.s3, object: { ...record.s3.object, versionId: null } as never };
    expect(eventsOf(JSON.stringify({ Records: [record] }))[0]).toMatchObject({
      kind: 'expired',
      versionId: null,
    });
  });

  it.each([
    ['red+flower.jpg', 'red flower.jpg'],
    ['this+im+%2B+age+blah.txt', 'this im + age blah.txt'],
    ['dt%3D2018-05-04/_SUCCESS', 'dt=2018-05-04/_SUCCESS'],
    ['test%2F10%3A47%3A07.log', 'test/10:47:07.log'],
    ['caf%C3%A9/%E2%9C%93+r%C3%A9sum%C3%A9.pdf', 'café/✓ résumé.pdf'],
    ['100%25+sure.txt', '100% sure.txt'],
    ['%F0%9F%8D%8C.png', '🍌.png'],
  ])('decodes the key %s as %s', (encoded, decoded) => {
    const record = {
      ...POST_RECORD,
      s3: { ...POST_RECORD.s3, object: { ...POST_RECORD.s3.object, key: encoded } },
    };
    expect(eventsOf(JSON.stringify({ Records: [record] }))[0]?.key).toBe(decoded);
  });

  it('round-trips keys written by the simulator', () => {
    const key = 'a b+c%d/é/&=?#.txt';
    expect(eventsOf(s3NotificationMessage([{ kind: 'completed', bucket: 'b', key }]))[0]?.key).toBe(key);
  });

  it('acknowledges s3:TestEvent without events', () => {
    const test = {
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: '2014-10-13T15:57:02.089Z',
      Bucket: 'bucketname',
      RequestId: '5582815E1AEA5ADF',
      HostId: '8cLeGAmw',
    };
    expect(parseRestoreMessage(JSON.stringify(test), true)).toEqual({ kind: 'test-event' });
  });

  it('ignores other S3 event names but keeps restore records of the same message', () => {
    const put = { ...POST_RECORD, eventName: 'ObjectCreated:Put' };
    expect(parseRestoreMessage(JSON.stringify({ Records: [put] }), true)).toEqual({
      kind: 'ignored',
      ignored: ['ObjectCreated:Put'],
    });
    const mixed = parseRestoreMessage(JSON.stringify({ Records: [put, POST_RECORD] }), true);
    expect(mixed).toMatchObject({ kind: 'events', ignored: ['ObjectCreated:Put'] });
  });

  it.each([
    ['not JSON', 'Hello world'],
    ['a JSON string', '"hello"'],
    ['an unrelated object', '{"foo":1}'],
    ['empty Records', '{"Records":[]}'],
    ['Records not an array', '{"Records":{}}'],
    ['a record without eventName', JSON.stringify({ Records: [{}] })],
    [
      'a restore record without key',
      JSON.stringify({ Records: [{ ...POST_RECORD, s3: { bucket: { name: 'b' }, object: {} } }] }),
    ],
    ['event version 3', JSON.stringify({ Records: [{ ...POST_RECORD, eventVersion: '3.0' }] })],
    ['a bad eventTime', JSON.stringify({ Records: [{ ...POST_RECORD, eventTime: 'yesterday' }] })],
    [
      'a broken key encoding',
      JSON.stringify({
        Records: [{ ...POST_RECORD, s3: { ...POST_RECORD.s3, object: { key: '%E0%A4%A' } } }],
      }),
    ],
    ['an EventBridge event without detail-type', JSON.stringify({ source: 'aws.s3' })],
    [
      'an EventBridge restore event without object',
      JSON.stringify({ ...EVENTBRIDGE_COMPLETED, detail: { bucket: { name: 'b' } } }),
    ],
  ])('refuses %s with a 400', (_name, message) => {
    expect(() => parseRestoreMessage(message, true)).toThrow(expect.objectContaining({ httpStatus: 400 }));
  });
});

describe('EventBridge S3 events', () => {
  it('normalises the AWS sample', () => {
    expect(eventsOf(JSON.stringify(EVENTBRIDGE_COMPLETED))).toEqual([
      {
        kind: 'completed',
        bucket: 'DOC-EXAMPLE-BUCKET1',
        key: 'example-key',
        versionId: 'KKsjUC1.6gIjqtvhfg5AdMI0eCePIiT3',
        size: 5,
        eTag: 'b1946ac92492d2347c6235b4d2611184',
        eventTime: '2021-11-12T00:00:00.000Z',
        restoreExpiryTime: '2021-11-13T00:00:00.000Z',
        storageClass: 'GLACIER',
        source: 'eventbridge',
        s3RequestId: '189F19CB7FB1B6A4',
      },
    ]);
  });

  it.each(['initiated', 'completed', 'expired'] as const)('reads simulated %s events', (kind) => {
    const [event] = eventsOf(eventBridgeMessage({ kind, bucket: 'bkt', key: 'a b/c.txt', versionId: 'v1' }));
    expect(event).toMatchObject({
      kind,
      bucket: 'bkt',
      key: 'a b/c.txt',
      versionId: 'v1',
      source: 'eventbridge',
    });
  });

  it('takes keys verbatim when EVENTBRIDGE_KEYS_URL_ENCODED is false', () => {
    const message = eventBridgeMessage({ kind: 'initiated', bucket: 'b', key: 'a+b c' }, false);
    const parsed = parseRestoreMessage(message, false);
    expect(parsed.kind === 'events' && parsed.events[0]?.key).toBe('a+b c');
  });

  it('ignores other S3 detail types', () => {
    const created = { ...EVENTBRIDGE_COMPLETED, 'detail-type': 'Object Created' };
    expect(parseRestoreMessage(JSON.stringify(created), true)).toEqual({
      kind: 'ignored',
      ignored: ['Object Created'],
    });
  });
});

describe('names from the message are looked up as own properties only', () => {
  const inherited = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'];

  it.each(inherited)('ignores an S3 record whose eventName is %j', (eventName) => {
    const record = { ...POST_RECORD, eventName };
    expect(parseRestoreMessage(JSON.stringify({ Records: [record] }), true)).toEqual({
      kind: 'ignored',
      ignored: [eventName],
    });
  });

  it.each(inherited)('ignores an EventBridge event whose detail-type is %j', (detailType) => {
    const event = { ...EVENTBRIDGE_COMPLETED, 'detail-type': detailType };
    expect(parseRestoreMessage(JSON.stringify(event), true)).toEqual({
      kind: 'ignored',
      ignored: [detailType],
    });
  });

  it('does not take Records or source from anywhere but the message itself', () => {
    const nested = JSON.stringify({ __proto__: { Records: [POST_RECORD] } });
    expect(() => parseRestoreMessage(nested, true)).toThrow(
      expect.objectContaining({ code: 'not_restore_event', httpStatus: 400 }),
    );
  });
});

describe('EventBridge keys (AWS does not document their encoding)', () => {
  const withKey = (key: string) =>
    JSON.stringify({
      ...EVENTBRIDGE_COMPLETED,
      detail: { ...EVENTBRIDGE_COMPLETED.detail, object: { ...EVENTBRIDGE_COMPLETED.detail.object, key } },
    });

  it.each([
    ['report 100%.pdf', 'report 100%.pdf'],
    ['100%', '100%'],
    ['%E0%A4%A', '%E0%A4%A'],
    ['50%off+sale', '50%off+sale'],
  ])('takes a key that is not valid URL-encoding (%s) as it stands, never refusing it', (raw, key) => {
    const [event] = eventsOf(withKey(raw));
    expect(event?.key).toBe(key);
    expect(event).not.toHaveProperty('rawKey');
  });

  it('decodes a valid URL-encoded key and keeps the key as it stands beside it', () => {
    const [event] = eventsOf(withKey('customer+42/a%2Bb.pdf'));
    expect(event).toMatchObject({ key: 'customer 42/a+b.pdf', rawKey: 'customer+42/a%2Bb.pdf' });
  });

  it('carries no rawKey when decoding changes nothing, or when keys are taken verbatim', () => {
    expect(eventsOf(withKey('plain/key.txt'))[0]).not.toHaveProperty('rawKey');
    const parsed = parseRestoreMessage(withKey('a+b'), false);
    expect(parsed.kind === 'events' && parsed.events[0]).toMatchObject({ key: 'a+b' });
    expect(parsed.kind === 'events' && parsed.events[0]).not.toHaveProperty('rawKey');
  });

  it('still refuses a broken key in an S3 record, whose encoding AWS documents', () => {
    const record = { ...POST_RECORD, s3: { ...POST_RECORD.s3, object: { key: '100%' } } };
    expect(() => parseRestoreMessage(JSON.stringify({ Records: [record] }), true)).toThrow(
      expect.objectContaining({ httpStatus: 400 }),
    );
  });
});
