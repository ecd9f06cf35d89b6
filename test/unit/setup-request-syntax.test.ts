import { attributeProblems, resourcePolicyProblems } from '../helpers/attribute-shapes';
import { queryProblems } from '../helpers/query-syntax';
import { jsonProblems, xmlProblems } from '../helpers/request-syntax';
import {
  NOTIFICATION_CONFIGURATION,
  restoreRequestProblems,
  SNS,
  SQS,
} from '../helpers/setup-request-shapes';

/**
 * The request-syntax checkers the wire tests and the LocalStack script test rely on: each must
 * refuse the mistakes AWS refuses, or a passing wire test proves nothing.
 */

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:thaw-restore-events';

describe('request syntax checkers', () => {
  it('refuse a RestoreRequest with a top-level Tier, or without Days for an archive class', () => {
    expect(restoreRequestProblems({ Days: 1, GlacierJobParameters: { Tier: 'Bulk' } })).toEqual([]);
    expect(restoreRequestProblems({ Days: 1, Tier: 'Bulk' })).toEqual([
      'a regular restore has no top-level Tier (S3: MalformedXML)',
    ]);
    expect(restoreRequestProblems({ GlacierJobParameters: { Tier: 'Standard' } })).toEqual([
      'Days is required for a regular restore',
    ]);
    expect(restoreRequestProblems({ GlacierJobParameters: { Tier: 'Standard' } }, false)).toEqual([]);
    expect(restoreRequestProblems({ Days: 1, GlacierJobParameters: { tier: 'Bulk' } })).toContain(
      '$.GlacierJobParameters: unknown member "tier"',
    );
  });

  it('refuse XML that uses member names where S3 wants element names', () => {
    const ns = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
    const good = `<NotificationConfiguration ${ns}><TopicConfiguration><Topic>${TOPIC_ARN}</Topic><Event>s3:ObjectRestore:*</Event></TopicConfiguration></NotificationConfiguration>`;
    const bad = `<NotificationConfiguration ${ns}><TopicConfiguration><TopicArn>${TOPIC_ARN}</TopicArn><Events>s3:ObjectRestore:*</Events></TopicConfiguration></NotificationConfiguration>`;

    expect(xmlProblems(good, 'NotificationConfiguration', NOTIFICATION_CONFIGURATION).problems).toEqual([]);
    expect(xmlProblems(bad, 'NotificationConfiguration', NOTIFICATION_CONFIGURATION).problems).toEqual([
      'NotificationConfiguration/TopicConfiguration[0]: unknown element <TopicArn>',
      'NotificationConfiguration/TopicConfiguration[0]: unknown element <Events>',
      'NotificationConfiguration/TopicConfiguration[0]: missing required <Topic>',
      'NotificationConfiguration/TopicConfiguration[0]: missing required <Event>',
    ]);
  });

  it('refuse query parameters the operation does not take, and gaps in a numbered map', () => {
    const subscribe = {
      Action: 'Subscribe',
      Version: '2010-03-31',
      TopicArn: TOPIC_ARN,
      Protocol: 'https',
      Endpoint: 'https://thaw.example.com/sns',
      'Attributes.entry.1.key': 'RawMessageDelivery',
      'Attributes.entry.1.value': 'false',
    };
    expect(queryProblems(subscribe, 'Subscribe', '2010-03-31', SNS.Subscribe)).toEqual([]);
    expect(
      queryProblems(
        { ...subscribe, 'Attributes.entry.3.key': 'Bogus', 'Attributes.entry.3.value': 'x', Extra: '1' },
        'Subscribe',
        '2010-03-31',
        SNS.Subscribe,
      ),
    ).toEqual([
      'Attributes: numbered 1,3, not 1..2',
      'Subscribe: unknown member "Extra"',
      'Subscribe.Attributes: unknown key "Bogus"',
    ]);
    expect(
      queryProblems({ Action: 'Subscribe', Version: '2010-03-31' }, 'Subscribe', '2010-03-31', SNS.Subscribe),
    ).toEqual([
      'Subscribe: missing required member "TopicArn"',
      'Subscribe: missing required member "Protocol"',
    ]);
  });

  it('refuse an SQS body with a member the JSON request syntax lacks', () => {
    expect(jsonProblems({ QueueName: 'q', Attributes: { Policy: '{}' } }, SQS.CreateQueue)).toEqual([]);
    expect(jsonProblems({ QueueName: 'q', Attribute: { Policy: '{}' } }, SQS.CreateQueue)).toEqual([
      '$: unknown member "Attribute"',
    ]);
    expect(jsonProblems({ QueueName: 'q', Attributes: { RetentionPeriod: '60' } }, SQS.CreateQueue)).toEqual([
      '$.Attributes: unknown key "RetentionPeriod"',
    ]);
  });

  it('refuse policies and attribute values AWS would refuse', () => {
    expect(resourcePolicyProblems({ Statement: [{ Effect: 'Allow', Action: 'SNS:Publish' }] })).toEqual([
      'Statement[0]: a resource policy names exactly one of Principal, NotPrincipal',
    ]);
    expect(
      resourcePolicyProblems({ Statement: { Effect: 'Permit', Principal: '*', Action: 'x' } }),
    ).toContain('$.Statement.Effect: "Permit" is not one of Allow, Deny');
    expect(attributeProblems('queue', 'MessageRetentionPeriod', '1209601')).toEqual([
      'queue attribute MessageRetentionPeriod: "1209601" is not 60..1209600 seconds',
    ]);
    expect(attributeProblems('subscription', 'RedrivePolicy', '{"deadLetterTargetArn":"q"}')).toEqual([
      'subscription attribute RedrivePolicy: $.deadLetterTargetArn: "q" does not match /^arn:aws[a-z-]*:sqs:/',
    ]);
    expect(attributeProblems('topic', 'DeliveryPolicy', '{"healthyRetryPolicy":{}}')).toEqual([
      'topic attribute DeliveryPolicy: $: unknown member "healthyRetryPolicy"',
      'topic attribute DeliveryPolicy: $: missing required member "http"',
    ]);
  });
});
