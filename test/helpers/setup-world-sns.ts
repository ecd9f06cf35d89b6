import { randomUUID } from 'node:crypto';
import type { StandInAnswer } from './aws-stand-in';
import { entries, escape, queryResult, xml } from './setup-world-xml';
import type { WorldState, WorldSubscription } from './setup-aws-world';
import { queryMap } from './setup-wire-check';

/**
 * The SNS side of the setup stand-in: answers each action as the SNS API Reference's "Response
 * Elements" (and "Errors": NotFound, HTTP 404) describe it, keeping topics and subscriptions.
 */

export const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

export const snsError = (status: number, code: string, message: string): StandInAnswer =>
  xml(
    status,
    `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${escape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );

export function answerSns(action: string, params: Record<string, string>, world: WorldState): StandInAnswer {
  const topicArn = params['TopicArn'] ?? '';
  const topic = world.topics.get(topicArn);
  const subscription = world.subscriptions.find((item) => item.arn === params['SubscriptionArn']);
  switch (action) {
    case 'ListTopics': {
      const start = Number(params['NextToken'] ?? '0');
      const arns = [...world.topics.keys()].slice(start, start + world.topicsPerPage);
      const next =
        start + arns.length < world.topics.size ? `<NextToken>${start + arns.length}</NextToken>` : '';
      const topics = arns.map((arn) => `<member><TopicArn>${arn}</TopicArn></member>`).join('');
      return xml(200, queryResult(SNS_NS, action, `<Topics>${topics}</Topics>${next}`));
    }
    case 'CreateTopic': {
      const arn = `arn:aws:sns:${world.region}:${world.account}:${params['Name']}`;
      if (!world.topics.has(arn)) world.topics.set(arn, defaultTopicAttributes(arn, world.account));
      return xml(200, queryResult(SNS_NS, action, `<TopicArn>${arn}</TopicArn>`));
    }
    case 'GetTopicAttributes':
      return topic === undefined
        ? snsError(404, 'NotFound', 'Topic does not exist')
        : xml(200, queryResult(SNS_NS, action, entries(topic)));
    case 'SetTopicAttributes':
      if (topic === undefined) return snsError(404, 'NotFound', 'Topic does not exist');
      topic[params['AttributeName'] ?? ''] = params['AttributeValue'] ?? '';
      return xml(200, queryResult(SNS_NS, action));
    case 'ListSubscriptionsByTopic':
      return xml(
        200,
        queryResult(
          SNS_NS,
          action,
          `<Subscriptions>${world.subscriptions
            .filter((item) => item.topicArn === topicArn)
            .map(member)
            .join('')}</Subscriptions>`,
        ),
      );
    case 'Subscribe': {
      const arn = `${topicArn}:${randomUUID()}`;
      world.subscriptions.push({
        arn,
        topicArn,
        protocol: params['Protocol'] ?? '',
        endpoint: params['Endpoint'] ?? '',
        confirmed: false,
        attributes: {
          ...queryMap(params, 'Attributes'),
          SubscriptionArn: arn,
          TopicArn: topicArn,
          Owner: world.account,
          Protocol: params['Protocol'] ?? '',
          Endpoint: params['Endpoint'] ?? '',
          PendingConfirmation: 'true',
          ConfirmationWasAuthenticated: 'false',
          RawMessageDelivery: 'false',
        },
      });
      // SNS API Reference, Subscribe, ReturnSubscriptionArn: without it a pending subscription's
      // ARN is answered as "pending confirmation".
      const shown = params['ReturnSubscriptionArn'] === 'true' ? arn : 'pending confirmation';
      return xml(200, queryResult(SNS_NS, action, `<SubscriptionArn>${shown}</SubscriptionArn>`));
    }
    case 'GetSubscriptionAttributes':
      return subscription === undefined
        ? snsError(404, 'NotFound', 'Subscription does not exist')
        : xml(
            200,
            queryResult(
              SNS_NS,
              action,
              entries({ ...subscription.attributes, PendingConfirmation: String(!subscription.confirmed) }),
            ),
          );
    case 'SetSubscriptionAttributes':
      if (subscription === undefined) return snsError(404, 'NotFound', 'Subscription does not exist');
      subscription.attributes[params['AttributeName'] ?? ''] = params['AttributeValue'] ?? '';
      return xml(200, queryResult(SNS_NS, action));
    default:
      return snsError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}

function member(item: WorldSubscription): string {
  const arn = item.confirmed ? item.arn : 'PendingConfirmation';
  return `<member><TopicArn>${item.topicArn}</TopicArn><Protocol>${item.protocol}</Protocol><SubscriptionArn>${arn}</SubscriptionArn><Owner>${item.arn.split(':')[4]}</Owner><Endpoint>${escape(item.endpoint)}</Endpoint></member>`;
}

/** What a new topic holds: its ARN, owner and the default policy SNS writes for the owner. */
function defaultTopicAttributes(arn: string, account: string): Record<string, string> {
  const policy = {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:Subscribe', 'SNS:Publish'],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  };
  return { TopicArn: arn, Owner: account, Policy: JSON.stringify(policy), SubscriptionsPending: '0' };
}
