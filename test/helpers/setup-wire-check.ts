import { formParams } from './aws-stand-in';
import type { RecordedRequest } from './aws-stand-in';
import { attributeProblems } from './attribute-shapes';
import { queryProblems } from './query-syntax';
import { jsonProblems, xmlProblems } from './request-syntax';
import {
  NOTIFICATION_CONFIGURATION,
  S3_NAMESPACE,
  SNS,
  SNS_VERSION,
  SQS,
  STS,
  STS_VERSION,
} from './setup-request-shapes';

/**
 * Names each request a setup stand-in received (service and operation, as the wire says it) and
 * holds it to its protocol and request syntax:
 * - SNS and STS: the query protocol, `POST /` with a form body `Action=<Operation>&Version=<API
 *   version>&...` (SNS API Reference and STS API Reference, "Common Parameters").
 * - SQS: AWS JSON 1.0, `POST /` with `Content-Type: application/x-amz-json-1.0`,
 *   `X-Amz-Target: AmazonSQS.<Operation>` and a JSON body (SQS Developer Guide, "Making query API
 *   requests using AWS JSON protocol in Amazon SQS"; SQS API Reference, each "Request Syntax").
 * - S3: REST-XML on the bucket's path (path-style addressing, as against a custom endpoint).
 */

export interface WireCall {
  readonly service: 'sns' | 'sqs' | 'sts' | 's3';
  readonly operation: string;
  readonly request: RecordedRequest;
}

/** S3 API Reference: the sub-resource in the query names the bucket operation. */
const S3_OPERATIONS: Readonly<Record<string, string>> = {
  'GET location': 'GetBucketLocation',
  'GET notification': 'GetBucketNotificationConfiguration',
  'PUT notification': 'PutBucketNotificationConfiguration',
};

export function identify(request: RecordedRequest): WireCall {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('AmazonSQS.')) {
    return { service: 'sqs', operation: target.slice('AmazonSQS.'.length), request };
  }
  if (request.method === 'POST' && request.path === '/') {
    const params = formParams(request.body);
    const service = params['Version'] === STS_VERSION ? 'sts' : 'sns';
    return { service, operation: params['Action'] ?? '?', request };
  }
  const subresource = Object.keys(request.query)[0] ?? '';
  return { service: 's3', operation: S3_OPERATIONS[`${request.method} ${subresource}`] ?? '?', request };
}

/** Every way the request departs from its protocol and its operation's request syntax. */
export function wireProblems(call: WireCall): string[] {
  const at = `${call.service} ${call.operation}`;
  const problems = ((): string[] => {
    switch (call.service) {
      case 'sns':
      case 'sts':
        return queryCallProblems(call);
      case 'sqs':
        return sqsProblems(call);
      case 's3':
        return s3Problems(call);
    }
  })();
  return problems.map((problem) => `${at}: ${problem}`);
}

function queryCallProblems({ service, operation, request }: WireCall): string[] {
  const problems: string[] = [];
  if (request.method !== 'POST' || request.path !== '/')
    problems.push(`sent as ${request.method} ${request.path}`);
  if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
    problems.push(`Content-Type ${request.headers['content-type']}`);
  const params = formParams(request.body);
  const shapes: Readonly<Record<string, Parameters<typeof queryProblems>[3]>> = service === 'sts' ? STS : SNS;
  const shape = shapes[operation];
  if (shape === undefined) return [...problems, 'not an operation setup makes'];
  problems.push(...queryProblems(params, operation, service === 'sts' ? STS_VERSION : SNS_VERSION, shape));
  if (operation === 'SetTopicAttributes' || operation === 'SetSubscriptionAttributes') {
    const owner = operation === 'SetTopicAttributes' ? 'topic' : 'subscription';
    problems.push(...attributeProblems(owner, params['AttributeName'] ?? '', params['AttributeValue'] ?? ''));
  }
  if (operation === 'Subscribe') {
    for (const [name, value] of Object.entries(queryMap(params, 'Attributes')))
      problems.push(...attributeProblems('subscription', name, value));
  }
  return problems;
}

function sqsProblems({ operation, request }: WireCall): string[] {
  const problems: string[] = [];
  if (request.method !== 'POST' || request.path !== '/')
    problems.push(`sent as ${request.method} ${request.path}`);
  if (request.headers['content-type'] !== 'application/x-amz-json-1.0')
    problems.push(`Content-Type ${request.headers['content-type']}`);
  const shape = (SQS as Readonly<Record<string, Parameters<typeof jsonProblems>[1]>>)[operation];
  if (shape === undefined) return [...problems, 'not an operation setup makes'];
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return [...problems, 'the body is not JSON'];
  }
  problems.push(...jsonProblems(body, shape));
  const attributes = (body as { Attributes?: Record<string, string> }).Attributes ?? {};
  for (const [name, value] of Object.entries(attributes))
    problems.push(...attributeProblems('queue', name, value));
  return problems;
}

/**
 * S3 API Reference, "Request Syntax" of GetBucketLocation (`GET /?location`),
 * GetBucketNotificationConfiguration (`GET /?notification`) and PutBucketNotificationConfiguration
 * (`PUT /?notification`, `x-amz-expected-bucket-owner`, `x-amz-skip-destination-validation`, the
 * XML body), with the bucket as the first path segment.
 */
function s3Problems({ operation, request }: WireCall): string[] {
  const problems: string[] = [];
  if (operation === '?') return [`${request.method} ${request.rawUrl} is not an operation setup makes`];
  if (!/^\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/?$/.test(request.path))
    problems.push(`path ${request.path} is not /{Bucket}`);
  if (Object.keys(request.query).length !== 1) problems.push(`query ${JSON.stringify(request.query)}`);
  const owner = request.headers['x-amz-expected-bucket-owner'];
  if (owner !== undefined && !/^\d{12}$/.test(String(owner)))
    problems.push(`x-amz-expected-bucket-owner ${owner}`);
  if (operation !== 'PutBucketNotificationConfiguration') {
    return request.body === '' ? problems : [...problems, 'a GET with a body'];
  }
  // Setup wants S3 to test the destinations: skipping it would hide a topic policy that S3 cannot use.
  if (request.headers['x-amz-skip-destination-validation'] !== undefined)
    problems.push('x-amz-skip-destination-validation is sent');
  const parsed = xmlProblems(request.body, 'NotificationConfiguration', NOTIFICATION_CONFIGURATION);
  if (parsed.namespace !== S3_NAMESPACE) problems.push(`namespace ${parsed.namespace}`);
  return [...problems, ...parsed.problems];
}

/** A query-protocol map parameter (`Name.entry.N.key` / `.value`) as an object. */
export function queryMap(params: Readonly<Record<string, string>>, name: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const match = new RegExp(`^${name}\\.entry\\.(\\d+)\\.key$`).exec(key);
    if (match) result[value] = params[`${name}.entry.${match[1]}.value`] ?? '';
  }
  return result;
}
