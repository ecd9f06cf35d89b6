import { checkSigningCertUrl, checkSubscribeUrl } from '../../src/ingest/sns-url';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:restores';
const production = {
  trustedHosts: /^sns\.[a-z]{2}(-gov)?-[a-z]+-\d\.amazonaws\.com(\.cn)?$/,
  allowHttp: false,
};
const GOOD =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem';

describe('SigningCertURL checks', () => {
  it('admits the SNS certificate URL of the topic region', () => {
    expect(checkSigningCertUrl(GOOD, TOPIC, production).hostname).toBe('sns.us-east-1.amazonaws.com');
  });

  it.each([
    ['plain http', GOOD.replace('https:', 'http:')],
    ['an S3 bucket look-alike host', GOOD.replace('sns.us-east-1', 'sns.s3-us-west-2')],
    ['a suffix attack', GOOD.replace('amazonaws.com/', 'amazonaws.com.evil.com/')],
    ['userinfo', GOOD.replace('https://', 'https://sns.us-east-1.amazonaws.com@')],
    ['userinfo with password', GOOD.replace('https://', 'https://a:b@')],
    ['an explicit port', GOOD.replace('.com/', '.com:8443/')],
    ['a query', `${GOOD}?x=1`],
    ['a fragment', `${GOOD}#frag`],
    ['another file name', GOOD.replace('SimpleNotificationService-', 'Evil-')],
    ['a nested path', GOOD.replace('/Simple', '/x/Simple')],
    ['no .pem', GOOD.replace('.pem', '.txt')],
    ['an IP literal', 'https://54.239.28.85/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem'],
    ['a file: URL', 'file:///etc/passwd'],
    ['no URL at all', 'not a url'],
    ['another region than the topic', GOOD.replace('us-east-1', 'eu-west-1')],
    ['an upper-case host trick', GOOD.replace('sns.us-east-1', 'sns.us-east-1.amazonaws.com.x')],
  ])('refuses %s', (_name, url) => {
    expect(() => checkSigningCertUrl(url, TOPIC, production)).toThrow(
      expect.objectContaining({ reason: 'cert_url_untrusted', httpStatus: 403 }),
    );
  });

  it('admits http and ports only when SNS_ALLOW_HTTP is set (local development)', () => {
    const local = { trustedHosts: /^127\.0\.0\.1$/, allowHttp: true };
    const url = 'http://127.0.0.1:4567/SimpleNotificationService-0123456789abcdef.pem';
    expect(checkSigningCertUrl(url, TOPIC, local).port).toBe('4567');
    expect(() => checkSigningCertUrl(url, TOPIC, { ...local, allowHttp: false })).toThrow();
  });

  it('lets a local certificate server use any path, but never relaxes the rules for SNS hosts', () => {
    const local = {
      trustedHosts: /^(127\.0\.0\.1|localstack|sns\.us-east-1\.amazonaws\.com)$/,
      allowHttp: true,
    };
    expect(checkSigningCertUrl('http://127.0.0.1:4567/cert.pem', TOPIC, local).pathname).toBe('/cert.pem');
    expect(
      checkSigningCertUrl(
        'http://localstack:4566/_aws/sns/SimpleNotificationService-0123abcd.pem',
        TOPIC,
        local,
      ).pathname,
    ).toBe('/_aws/sns/SimpleNotificationService-0123abcd.pem');
    expect(() => checkSigningCertUrl(GOOD.replace('/Simple', '/x/Simple'), TOPIC, local)).toThrow(
      expect.objectContaining({ reason: 'cert_url_untrusted' }),
    );
    expect(() =>
      checkSigningCertUrl('http://127.0.0.1:4567/cert.pem', TOPIC, { ...local, allowHttp: false }),
    ).toThrow();
    expect(() => checkSigningCertUrl('http://127.0.0.1:4567/cert.pem?x=1', TOPIC, local)).toThrow();
  });

  it('requires the configured pattern to match the whole host', () => {
    const unanchored = { trustedHosts: /amazonaws\.com/, allowHttp: false };
    expect(() =>
      checkSigningCertUrl(
        GOOD.replace('sns.us-east-1.amazonaws.com', 'amazonaws.com.evil.com'),
        TOPIC,
        unanchored,
      ),
    ).toThrow();
  });
});

describe('SubscribeURL checks', () => {
  const subscribe = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37`;

  it('admits a ConfirmSubscription call for the same topic', () => {
    expect(checkSubscribeUrl(subscribe, TOPIC, production).searchParams.get('Token')).toBe('2336412f37');
  });

  it('lets a local SNS stand-in use any path, still for this topic and action only', () => {
    const local = { trustedHosts: /^127\.0\.0\.1$/, allowHttp: true };
    const query = `?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37`;
    expect(checkSubscribeUrl(`http://127.0.0.1:9/confirm${query}`, TOPIC, local).pathname).toBe('/confirm');
    expect(() =>
      checkSubscribeUrl(`http://127.0.0.1:9/confirm${query.replace(':restores', ':other')}`, TOPIC, local),
    ).toThrow();
    expect(() =>
      checkSubscribeUrl(`http://127.0.0.1:9/confirm${query}`, TOPIC, { ...local, allowHttp: false }),
    ).toThrow();
  });

  it.each([
    ['another topic', subscribe.replace(':restores', ':other')],
    ['another action', subscribe.replace('ConfirmSubscription', 'Unsubscribe')],
    ['no token', subscribe.replace('&Token=2336412f37', '')],
    ['an untrusted host', subscribe.replace('sns.us-east-1.amazonaws.com', 'attacker.example')],
    ['a path', subscribe.replace('.com/?', '.com/x?')],
    ['http', subscribe.replace('https:', 'http:')],
  ])('refuses %s', (_name, url) => {
    expect(() => checkSubscribeUrl(url, TOPIC, production)).toThrow(
      expect.objectContaining({ httpStatus: 403 }),
    );
  });
});
