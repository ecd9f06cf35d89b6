import { startAwsStandIn } from './aws-stand-in';
import type { AwsStandIn, RecordedRequest, StandInAnswer } from './aws-stand-in';

/**
 * A loopback SES v2 that records SendEmail and checks it against the SES API v2 Reference, where
 * aws-ses-v2-local accepts anything (it neither stores nor checks EmailTags, ConfigurationSetName
 * or header rules). Sources (docs.aws.amazon.com/ses/latest/APIReference-V2/):
 * - "SendEmail", Request Syntax: `POST /v2/email/outbound-emails`, JSON body with
 *   `FromEmailAddress`, `Destination.ToAddresses`, `Content.Simple.{Subject, Body.{Html, Text},
 *   Headers}`, `EmailTags`, `ConfigurationSetName`.
 * - "MessageTag": Name and Value "can only contain ASCII letters (a–z, A–Z), numbers (0–9),
 *   underscores (_), or dashes (-)" and at most 256 characters.
 * - "MessageHeader": Name: printable ASCII (33–126) except `:`, at most 126 characters; Value:
 *   printable ASCII, at most 870 characters. "Message": at most 15 Headers.
 * - Errors (Common Errors / SendEmail Errors): 400 `BadRequestException`, named in the
 *   `x-amzn-ErrorType` header, with a JSON `message`.
 */
export interface SesStandIn {
  readonly endpoint: string;
  readonly wire: AwsStandIn;
  /** SendEmail bodies SES accepted, parsed, oldest first. */
  readonly accepted: Record<string, unknown>[];
  stop(): Promise<void>;
}

const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]{1,126}$/;
const HEADER_VALUE = /^[\x20-\x7e]{0,870}$/;

function badRequest(message: string): StandInAnswer {
  return {
    status: 400,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'BadRequestException' },
    body: JSON.stringify({ message }),
  };
}

/** Why SES would refuse this SendEmail body, or null when it would accept it. */
export function sendEmailRefusal(body: Record<string, unknown>): string | null {
  if (typeof body.FromEmailAddress !== 'string') return 'FromEmailAddress is required';
  const destination = body.Destination as { ToAddresses?: unknown } | undefined;
  if (!Array.isArray(destination?.ToAddresses) || destination.ToAddresses.length === 0) {
    return 'Destination.ToAddresses is required';
  }
  const simple = (body.Content as { Simple?: Record<string, unknown> } | undefined)?.Simple;
  if (simple === undefined) return 'Content.Simple is required';
  if (typeof (simple.Subject as { Data?: unknown } | undefined)?.Data !== 'string')
    return 'Subject.Data is required';
  const headers = (simple.Headers ?? []) as { Name?: unknown; Value?: unknown }[];
  if (headers.length > 15) return 'at most 15 headers';
  for (const header of headers) {
    if (typeof header.Name !== 'string' || !HEADER_NAME.test(header.Name))
      return `invalid header name ${String(header.Name)}`;
    if (typeof header.Value !== 'string' || !HEADER_VALUE.test(header.Value))
      return `invalid header value for ${header.Name}`;
  }
  for (const tag of (body.EmailTags ?? []) as { Name?: unknown; Value?: unknown }[]) {
    if (typeof tag.Name !== 'string' || !TAG.test(tag.Name)) return `invalid tag name ${String(tag.Name)}`;
    if (typeof tag.Value !== 'string' || !TAG.test(tag.Value)) return `invalid tag value for ${tag.Name}`;
  }
  return null;
}

export async function startSesStandIn(): Promise<SesStandIn> {
  const accepted: Record<string, unknown>[] = [];
  let sent = 0;
  function answer(request: RecordedRequest): StandInAnswer {
    if (request.method !== 'POST' || request.path !== '/v2/email/outbound-emails') {
      return {
        status: 404,
        headers: { 'x-amzn-errortype': 'NotFoundException' },
        body: '{"message":"no such route"}',
      };
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return badRequest('body is not JSON');
    }
    const refusal = sendEmailRefusal(body);
    if (refusal !== null) return badRequest(refusal);
    accepted.push(body);
    sent += 1;
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ MessageId: `0100019a-stand-in-${sent}` }),
    };
  }
  const wire = await startAwsStandIn(answer);
  return { endpoint: wire.endpoint, wire, accepted, stop: () => wire.stop() };
}
