import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../src/errors';
import { parseSesFeedback } from '../../src/notify/ses-feedback';

/**
 * Samples follow the documented shapes: "Amazon SNS notification examples for Amazon SES"
 * (notificationType form) and "Examples of event data that Amazon SES publishes to Amazon SNS"
 * (eventType form), https://docs.aws.amazon.com/ses/latest/dg/notification-examples.html and
 * .../event-publishing-retrieving-sns-examples.html. Addresses are example.com placeholders.
 */
const MAIL = {
  timestamp: '2016-01-27T14:59:38.237Z',
  source: 'thaw@example.com',
  sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com',
  sourceIp: '127.0.3.0',
  sendingAccountId: '123456789012',
  callerIdentity: 'IAM_user_or_role_name',
  messageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
  destination: ['jane@example.com', 'mary@example.com', 'richard@example.com'],
};

const PERMANENT_BOUNCE = {
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    reportingMTA: 'dns; email.example.com',
    bouncedRecipients: [
      {
        emailAddress: ' Jane@Example.com ',
        status: '5.1.1',
        action: 'failed',
        diagnosticCode: 'smtp; 550 5.1.1 <jane@example.com>... User',
      },
      { emailAddress: 'mary@example.com', status: '5.1.1', action: 'failed' },
      { emailAddress: 'JANE@example.com', status: '5.1.1', action: 'failed' },
    ],
    bounceSubType: 'General',
    timestamp: '2016-01-27T14:59:38.237Z',
    feedbackId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000',
    remoteMtaIp: '127.0.2.0',
  },
  mail: MAIL,
};

const TRANSIENT_BOUNCE = {
  notificationType: 'Bounce',
  bounce: {
    bounceType: 'Transient',
    bounceSubType: 'MailboxFull',
    bouncedRecipients: [{ emailAddress: 'richard@example.com', status: '4.2.2', action: 'failed' }],
    timestamp: '2016-01-27T14:59:38.237Z',
    feedbackId: '00000137860315fd-869464a4-8680-4114-98d3-716fe35851f9-000000',
  },
  mail: MAIL,
};

const COMPLAINT = {
  notificationType: 'Complaint',
  complaint: {
    userAgent: 'AnyCompany Feedback Loop (V0.01)',
    complainedRecipients: [{ emailAddress: 'Richard@Example.com' }],
    complaintFeedbackType: 'abuse',
    arrivalDate: '2016-01-27T14:59:38.237Z',
    timestamp: '2016-01-27T14:59:38.237Z',
    feedbackId: '000001378603177f-18c07c78-fa81-4a58-9dd1-fedc3cb8f49a-000000',
  },
  mail: MAIL,
};

const EVENT_BOUNCE = {
  eventType: 'Bounce',
  bounce: {
    bounceType: 'Permanent',
    bounceSubType: 'General',
    bouncedRecipients: [
      {
        emailAddress: 'recipient@example.com',
        action: 'failed',
        status: '5.1.1',
        diagnosticCode: 'smtp; 550 5.1.1 user unknown',
      },
    ],
    timestamp: '2017-08-05T00:41:02.669Z',
    feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
    reportingMTA: 'dsn; mta.example.com',
  },
  mail: {
    timestamp: '2017-08-05T00:40:02.012Z',
    source: 'Sender Name <sender@example.com>',
    sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
    sendingAccountId: '123456789012',
    messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
    destination: ['recipient@example.com'],
    headersTruncated: false,
    tags: { 'ses:configuration-set': ['ConfigSet'], kind: ['completed'] },
  },
};

const EVENT_COMPLAINT = {
  eventType: 'Complaint',
  complaint: {
    complainedRecipients: [{ emailAddress: 'recipient@example.com' }],
    timestamp: '2017-08-05T00:41:02.669Z',
    feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    complaintFeedbackType: 'abuse',
    arrivalDate: '2017-08-05T00:41:02.669Z',
  },
  mail: EVENT_BOUNCE.mail,
};

/** A real SES Delivery notification, signed by AWS (see the fixture's README.md). */
function realDeliveryMessage(): string {
  const path = join(
    __dirname,
    '../fixtures/real-sns/2016-05-03_sv1_notification_eu-west-1_ses-delivery/message.json',
  );
  const envelope = JSON.parse(readFileSync(path, 'utf8')) as { Message: string };
  return envelope.Message;
}

const json = (value: unknown) => JSON.stringify(value);

describe('parseSesFeedback', () => {
  it('suppresses every recipient of a permanent bounce, lower-cased, trimmed, once each', () => {
    expect(parseSesFeedback(json(PERMANENT_BOUNCE))).toEqual({
      kind: 'suppress',
      reason: 'bounce',
      addresses: ['jane@example.com', 'mary@example.com'],
      detail: 'Permanent/General',
    });
  });

  it('ignores a transient bounce', () => {
    expect(parseSesFeedback(json(TRANSIENT_BOUNCE))).toEqual({
      kind: 'ignore',
      reason: 'bounce Transient/MailboxFull',
    });
  });

  it('ignores an undetermined bounce', () => {
    const undetermined = {
      ...PERMANENT_BOUNCE,
      bounce: { ...PERMANENT_BOUNCE.bounce, bounceType: 'Undetermined', bounceSubType: 'Undetermined' },
    };

    expect(parseSesFeedback(json(undetermined))).toMatchObject({ kind: 'ignore' });
  });

  it('suppresses the recipients of a complaint', () => {
    expect(parseSesFeedback(json(COMPLAINT))).toEqual({
      kind: 'suppress',
      reason: 'complaint',
      addresses: ['richard@example.com'],
      detail: 'complaint abuse',
    });
  });

  it('suppresses a complaint that carries no feedback type', () => {
    const { complaintFeedbackType: _omitted, ...complaint } = COMPLAINT.complaint;

    expect(parseSesFeedback(json({ ...COMPLAINT, complaint }))).toMatchObject({
      kind: 'suppress',
      addresses: ['richard@example.com'],
    });
  });

  it('reads the configuration-set event publishing form (eventType) the same way', () => {
    expect(parseSesFeedback(json(EVENT_BOUNCE))).toEqual({
      kind: 'suppress',
      reason: 'bounce',
      addresses: ['recipient@example.com'],
      detail: 'Permanent/General',
    });
    expect(parseSesFeedback(json(EVENT_COMPLAINT))).toMatchObject({
      kind: 'suppress',
      reason: 'complaint',
      addresses: ['recipient@example.com'],
    });
  });

  it('ignores the real, AWS-signed SES delivery notification', () => {
    expect(parseSesFeedback(realDeliveryMessage())).toEqual({ kind: 'ignore', reason: 'Delivery' });
  });

  it('reads a Send event with the tags that name the notification', () => {
    const send = {
      eventType: 'Send',
      mail: {
        ...EVENT_BOUNCE.mail,
        messageId: 'm-1',
        tags: { 'thaw-request': ['r_abc'], 'thaw-kind': ['completed'] },
      },
    };
    expect(parseSesFeedback(json(send))).toEqual({
      kind: 'sent',
      messageId: 'm-1',
      tags: { 'thaw-request': 'r_abc', 'thaw-kind': 'completed' },
    });
  });

  it.each(['Delivery', 'Open', 'Click', 'Reject', 'DeliveryDelay', 'RenderingFailure'])(
    'ignores a %s event',
    (eventType) => {
      expect(parseSesFeedback(json({ eventType, mail: EVENT_BOUNCE.mail }))).toEqual({
        kind: 'ignore',
        reason: eventType,
      });
    },
  );

  it("ignores SES's subscription-succeeded test message", () => {
    const message = json({
      notificationType: 'AmazonSnsSubscriptionSucceeded',
      message: 'You have successfully subscribed your Amazon SNS topic to receive Bounce notifications.',
    });

    expect(parseSesFeedback(message)).toMatchObject({ kind: 'ignore' });
  });

  it.each([
    ['not JSON', 'hello'],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['an S3 event', json({ Records: [{ eventSource: 'aws:s3' }] })],
    ['a type with no mail object', json({ notificationType: 'Bounce', bounce: PERMANENT_BOUNCE.bounce })],
    ['a bounce with no bounce object', json({ notificationType: 'Bounce', mail: MAIL })],
    [
      'a bounce with no recipients',
      json({ ...PERMANENT_BOUNCE, bounce: { ...PERMANENT_BOUNCE.bounce, bouncedRecipients: [] } }),
    ],
    [
      'a complaint whose recipient has no address',
      json({ ...COMPLAINT, complaint: { ...COMPLAINT.complaint, complainedRecipients: [{}] } }),
    ],
  ])('refuses %s as not_ses_feedback', (_title, message) => {
    let failure: unknown;
    try {
      parseSesFeedback(message);
    } catch (caught) {
      failure = caught;
    }

    expect(failure).toBeInstanceOf(InvalidInputError);
    expect(failure).toMatchObject({ code: 'not_ses_feedback', retryable: false, httpStatus: 400 });
  });
});
