import { mergeStatement, s3PublishStatement, snsDeadLetterStatement } from '../../src/setup/policy-document';
import { SetupError } from '../../src/setup/setup-error';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111122223333:thaw-restore-events';
const OTHER = {
  Sid: 'billing',
  Effect: 'Allow',
  Principal: { AWS: '444455556666' },
  Action: 'SNS:Publish',
  Resource: TOPIC_ARN,
};

describe('s3PublishStatement', () => {
  it('allows only S3, only Publish, only for the bucket and its owner account', () => {
    expect(s3PublishStatement(TOPIC_ARN, 'logs.acme.example', '111122223333')).toEqual({
      Sid: 'thaw-allow-s3-logs_acme_example',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'SNS:Publish',
      Resource: TOPIC_ARN,
      Condition: {
        ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::logs.acme.example' },
        StringEquals: { 'aws:SourceAccount': '111122223333' },
      },
    });
  });

  it('uses the topic partition for the bucket ARN', () => {
    const statement = s3PublishStatement('arn:aws-cn:sns:cn-north-1:111122223333:t', 'b1b', '111122223333');

    expect(statement.Condition['ArnLike']).toEqual({ 'aws:SourceArn': 'arn:aws-cn:s3:::b1b' });
  });
});

describe('mergeStatement', () => {
  const mine = s3PublishStatement(TOPIC_ARN, 'acme-archive', '111122223333');

  it('starts a policy when there is none', () => {
    const merged = mergeStatement(undefined, mine, 'topic');

    expect(merged.changed).toBe(true);
    expect(JSON.parse(merged.policy)).toEqual({ Version: '2012-10-17', Statement: [mine] });
  });

  it('adds its statement after the others, keeping Version, Id and every other statement', () => {
    const existing = JSON.stringify({ Version: '2008-10-17', Id: '__default_policy_ID', Statement: [OTHER] });

    const merged = mergeStatement(existing, mine, 'topic');

    expect(JSON.parse(merged.policy)).toEqual({
      Version: '2008-10-17',
      Id: '__default_policy_ID',
      Statement: [OTHER, mine],
    });
  });

  it('replaces its own outdated statement in place instead of adding a second', () => {
    const outdated = { ...mine, Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::acme-archive' } } };
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [outdated, OTHER] });

    const merged = mergeStatement(existing, mine, 'topic');

    expect(merged.changed).toBe(true);
    expect(JSON.parse(merged.policy).Statement).toEqual([mine, OTHER]);
  });

  it('reports no change when AWS gives the same statement back reordered, with one-element arrays', () => {
    const stored = {
      Condition: mine.Condition,
      Resource: mine.Resource,
      Action: ['SNS:Publish'],
      Principal: { Service: ['s3.amazonaws.com'] },
      Effect: 'Allow',
      Sid: mine.Sid,
    };
    const existing = JSON.stringify({ Version: '2012-10-17', Statement: [OTHER, stored] });

    expect(mergeStatement(existing, mine, 'topic')).toEqual({ policy: existing, changed: false });
  });

  it('accepts a policy whose Statement is a single object', () => {
    const merged = mergeStatement(JSON.stringify({ Version: '2012-10-17', Statement: OTHER }), mine, 'topic');

    expect(JSON.parse(merged.policy).Statement).toEqual([OTHER, mine]);
  });

  it('refuses to touch a policy that is not a JSON object', () => {
    expect(() => mergeStatement('{not json', mine, 'topic T')).toThrow(SetupError);
    expect(() => mergeStatement('{not json', mine, 'topic T')).toThrow(
      'the policy of topic T is not a JSON object',
    );
  });
});

describe('snsDeadLetterStatement', () => {
  it('lets only this topic send to the queue', () => {
    expect(snsDeadLetterStatement('arn:aws:sqs:eu-west-1:111122223333:dlq', TOPIC_ARN)).toEqual({
      Sid: 'thaw-allow-sns-thaw-restore-events',
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: 'arn:aws:sqs:eu-west-1:111122223333:dlq',
      Condition: { ArnEquals: { 'aws:SourceArn': TOPIC_ARN } },
    });
  });
});
