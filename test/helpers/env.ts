/** The least configuration a thaw instance needs in tests; callers add their own. */
export function baseTestEnv(prefix: string): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    THAW_PREFIX: prefix,
    MAIL_FROM: 'thaw@example.com',
    API_TOKEN: 'test-token-0123456789abcdef',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}
