import { ConfigError, loadConfig } from '../../src/config';

/** The variables thaw cannot start without, plus PUBLIC_BASE_URL so no link warning is expected. */
export const REQUIRED_ENV = {
  MAIL_FROM: 'thaw@example.com',
  API_TOKEN: 'a-long-enough-token-123',
  SNS_TOPIC_ARNS: 'arn:aws:sns:us-east-1:123456789012:restores',
  PUBLIC_BASE_URL: 'https://thaw.example.com',
} as const;

/** The ConfigError message this environment gets; fails the test when it loads. */
export function problemsOf(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}
