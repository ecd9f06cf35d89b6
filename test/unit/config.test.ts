import { ConfigError, configWarnings, loadConfig } from '../../src/config';

const REQUIRED = {
  MAIL_FROM: 'thaw@example.com',
  API_TOKEN: 'a-long-enough-token-123',
  SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:restores',
};
const LOCAL_LINKS = { PUBLIC_BASE_URL: 'https://thaw.example.com' };

function problemsOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig(REQUIRED);
    expect(config.http).toEqual({ port: 3000, host: '0.0.0.0', trustProxy: false });
    expect(config.redis).toMatchObject({ url: 'redis://127.0.0.1:6379', prefix: 'thaw', waitReplicas: 0 });
    expect(config.aws.region).toBe('us-east-1');
    expect(config.sns.minSignatureVersion).toBe(1);
    expect(config.sns.maxAgeSeconds).toBe(86400);
    expect(config.sns.allowHttp).toBe(false);
    expect(config.links.downloadTtlSeconds).toBe(604800);
    expect(config.links.publicBaseUrl).toBeUndefined();
    expect(config.role).toBe('serve');
    expect(Object.isFrozen(config.sns)).toBe(true);
  });

  it('turns durations given in seconds into milliseconds, once', () => {
    const config = loadConfig({
      ...REQUIRED,
      REQUEST_RETENTION_SECONDS: '120',
      RECONCILE_INTERVAL_SECONDS: '30',
      SEND_IN_DOUBT_SECONDS: '90',
      SNS_CERT_CACHE_TTL_SECONDS: '600',
    });
    expect(config.requests.retentionMs).toBe(120_000);
    expect(config.requests.reconcileIntervalMs).toBe(30_000);
    expect(config.mail.inDoubtMs).toBe(90_000);
    expect(config.sns.certCacheTtlMs).toBe(600_000);
    expect(loadConfig(REQUIRED).requests).toMatchObject({
      retentionMs: 30 * 86_400_000,
      earlyEventWindowMs: 86_400_000,
      expiringReminderMs: 86_400_000,
      overdueMarginMs: 3_600_000,
      restoreStartGraceMs: 900_000,
      expiryCheckMs: 3_600_000,
      reconcileIntervalMs: 60_000,
      idempotencyTtlMs: 86_400_000,
      workerLockMs: 30_000,
    });
    expect(Object.isFrozen(config.sns.topicArns)).toBe(true);
  });

  it('names every missing required variable in one line', () => {
    const message = problemsOf({});
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/MAIL_FROM/);
    expect(message).toMatch(/API_TOKEN/);
    expect(message).toMatch(/SNS_TOPIC_ARNS/);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['REDIS_URL', 'not a url'],
    ['SNS_MIN_SIGNATURE_VERSION', '3'],
    ['SNS_ALLOW_HTTP', 'maybe'],
    ['SNS_TRUSTED_HOSTS', '(unclosed'],
    ['SNS_TOPIC_ARNS', 'arn:aws:s3:::bucket'],
    ['DOWNLOAD_LINK_TTL_SECONDS', '604801'],
    ['THAW_ROLE', 'everything'],
    ['THAW_PREFIX', 'has space'],
    ['API_TOKEN', '   '],
  ])('refuses %s=%s and names it', (name, value) => {
    expect(problemsOf({ ...REQUIRED, [name]: value })).toContain(name);
  });

  it('takes a short API token (the contract sets no minimum) and warns about it', () => {
    const config = loadConfig({ ...REQUIRED, ...LOCAL_LINKS, API_TOKEN: 'test-token' });
    expect(config.apiToken).toBe('test-token');
    expect(configWarnings(config)).toEqual([expect.stringMatching(/^API_TOKEN is shorter than 16/)]);
    expect(configWarnings(loadConfig({ ...REQUIRED, ...LOCAL_LINKS }))).toEqual([]);
    const admin = loadConfig({ ...REQUIRED, ...LOCAL_LINKS, ADMIN_TOKEN: 'admin' });
    expect(configWarnings(admin)).toEqual([expect.stringMatching(/^ADMIN_TOKEN is shorter/)]);
  });

  it('warns when emails would carry presigned S3 URLs signed by AWS credentials (no PUBLIC_BASE_URL)', () => {
    expect(configWarnings(loadConfig(REQUIRED))).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL is unset/),
    ]);
    expect(configWarnings(loadConfig({ ...REQUIRED, PUBLIC_BASE_URL: 'https://thaw.example.com' }))).toEqual(
      [],
    );
    // Against a local S3 emulator the links are local too: nothing to warn about.
    expect(configWarnings(loadConfig({ ...REQUIRED, S3_ENDPOINT: 'http://127.0.0.1:4568' }))).toEqual([]);
  });

  it('puts SES in SES_REGION, by default AWS_REGION', () => {
    expect(loadConfig({ ...REQUIRED, AWS_REGION: 'ap-southeast-2' }).aws).toMatchObject({
      region: 'ap-southeast-2',
      sesRegion: 'ap-southeast-2',
    });
    expect(
      loadConfig({ ...REQUIRED, AWS_REGION: 'ap-southeast-2', SES_REGION: 'eu-west-1' }).aws,
    ).toMatchObject({
      region: 'ap-southeast-2',
      sesRegion: 'eu-west-1',
    });
  });

  it('warns when SNS URLs may be plain http', () => {
    const config = loadConfig({ ...REQUIRED, ...LOCAL_LINKS, SNS_ALLOW_HTTP: 'true' });
    expect(configWarnings(config)).toEqual([expect.stringMatching(/^SNS_ALLOW_HTTP is true/)]);
  });

  it('takes several topics and trims the list', () => {
    const config = loadConfig({
      ...REQUIRED,
      SNS_TOPIC_ARNS: ' arn:aws:sns:us-east-1:123456789012:a , arn:aws:sns:eu-west-1:123456789012:b ,',
    });
    expect(config.sns.topicArns).toEqual([
      'arn:aws:sns:us-east-1:123456789012:a',
      'arn:aws:sns:eu-west-1:123456789012:b',
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ ...REQUIRED, PORT: '', PUBLIC_BASE_URL: '' }).http.port).toBe(3000);
  });

  describe('default SNS_TRUSTED_HOSTS', () => {
    const hosts = loadConfig(REQUIRED).sns.trustedHosts;
    it.each([
      'sns.us-east-1.amazonaws.com',
      'sns.eu-central-1.amazonaws.com',
      'sns.us-gov-west-1.amazonaws.com',
      'sns.cn-north-1.amazonaws.com.cn',
      'sns.ap-southeast-2.amazonaws.com',
    ])('admits %s', (host) => expect(hosts.test(host)).toBe(true));
    it.each([
      'sns.s3-us-west-2.amazonaws.com',
      'sns.us-east-1.amazonaws.com.evil.com',
      'evil.com',
      'sns.amazonaws.com',
      's3.us-east-1.amazonaws.com',
      'sns.us-east-1.amazonaws.co',
      'xsns.us-east-1.amazonaws.com',
    ])('refuses %s', (host) => expect(hosts.test(host)).toBe(false));
  });
});
