import { SnsVerificationError } from './sns-verification-error';

export interface SnsUrlPolicy {
  /** Must match the whole host name; the default admits only region-shaped SNS hosts. */
  readonly trustedHosts: RegExp;
  /** Local development only: admits `http:` and explicit ports (loopback test servers). */
  readonly allowHttp: boolean;
}

const CERT_PATH = /^\/SimpleNotificationService-[0-9a-f]{8,64}\.pem$/;
const REGION_IN_HOST = /^sns\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?$/;

/**
 * Checks a SigningCertURL before anything is fetched from it (Amazon SNS Developer Guide,
 * "Verifying the signatures of Amazon SNS messages"): a real URL parser, https only, no userinfo,
 * no port, no query or fragment, a trusted SNS host in the same region as the topic, and the
 * `/SimpleNotificationService-<hex>.pem` path. Each rule closes a known forgery: look-alike hosts
 * such as `sns.s3-us-west-2.amazonaws.com` are S3 buckets anyone can fill with a certificate of
 * their own.
 *
 * With `allowHttp` (local development and tests) a trusted host that is not an AWS one, such as a
 * loopback certificate server or LocalStack (`/_aws/sns/…`), may use any path: the path rules
 * exist for SNS's own hosts, and those keep them.
 */
export function checkSigningCertUrl(raw: string, topicArn: string, policy: SnsUrlPolicy): URL {
  const url = parseSnsUrl(raw, policy, 'SigningCertURL');
  if (url.search !== '' || url.hash !== '') throw untrusted('SigningCertURL has a query or fragment');
  if (!CERT_PATH.test(url.pathname) && !isLocalHost(url, policy)) {
    throw untrusted('SigningCertURL path is not an SNS certificate');
  }
  checkRegion(url, topicArn);
  return url;
}

/**
 * Checks a SubscribeURL before thaw GETs it to confirm a subscription: the same host rules, and
 * it must be a ConfirmSubscription call for the very topic the (verified) message came from, so a
 * signed message cannot steer the request anywhere else.
 */
export function checkSubscribeUrl(raw: string, topicArn: string, policy: SnsUrlPolicy): URL {
  const url = parseSnsUrl(raw, policy, 'SubscribeURL');
  if (url.hash !== '') throw untrusted('SubscribeURL has a fragment');
  if (url.pathname !== '/' && !isLocalHost(url, policy)) throw untrusted('SubscribeURL path is not /');
  if (url.searchParams.get('Action') !== 'ConfirmSubscription') {
    throw untrusted('SubscribeURL is not a ConfirmSubscription call');
  }
  if (url.searchParams.get('TopicArn') !== topicArn) throw untrusted('SubscribeURL names another topic');
  if (!url.searchParams.get('Token')) throw untrusted('SubscribeURL has no Token');
  checkRegion(url, topicArn);
  return url;
}

function parseSnsUrl(raw: string, policy: SnsUrlPolicy, field: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw untrusted(`${field} is not a URL`);
  }
  const schemeOk = url.protocol === 'https:' || (policy.allowHttp && url.protocol === 'http:');
  if (!schemeOk) throw untrusted(`${field} must use https`);
  if (url.username !== '' || url.password !== '') throw untrusted(`${field} has userinfo`);
  if (url.port !== '' && !policy.allowHttp) throw untrusted(`${field} has an explicit port`);
  // Regular expressions from configuration may be unanchored; a host must match as a whole.
  const match = policy.trustedHosts.exec(url.hostname);
  if (!match || match[0] !== url.hostname) throw untrusted(`${field} host ${url.hostname} is not trusted`);
  return url;
}

/** A trusted host outside AWS, admitted only in local development (`allowHttp`). */
function isLocalHost(url: URL, policy: SnsUrlPolicy): boolean {
  return policy.allowHttp && !REGION_IN_HOST.test(url.hostname);
}

function checkRegion(url: URL, topicArn: string): void {
  const hostRegion = REGION_IN_HOST.exec(url.hostname)?.[1];
  const topicRegion = topicArn.split(':')[3];
  if (hostRegion !== undefined && hostRegion !== topicRegion) {
    throw untrusted(`host region ${hostRegion} differs from the topic's region ${topicRegion ?? '?'}`);
  }
}

function untrusted(message: string): SnsVerificationError {
  return new SnsVerificationError('cert_url_untrusted', message);
}
