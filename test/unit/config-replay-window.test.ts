import { configWarnings, loadConfig } from '../../src/config';
import { REQUIRED_ENV as REQUIRED } from '../helpers/config';

/**
 * SNS_MAX_AGE_SECONDS is how old a signed message may be; EVENT_DEDUPE_TTL_SECONDS how long an
 * event is remembered. A message older than the memory but younger than the age limit (or any
 * message, with the age check off) can be replayed and is processed again: said at start.
 */

const replayWarnings = (env: Record<string, string>) =>
  configWarnings(loadConfig({ ...REQUIRED, ...env })).filter((line) =>
    line.includes('EVENT_DEDUPE_TTL_SECONDS'),
  );

describe('replay window against dedupe memory', () => {
  it('says nothing with the defaults (both one day) or a shorter replay window', () => {
    expect(replayWarnings({})).toEqual([]);
    expect(replayWarnings({ SNS_MAX_AGE_SECONDS: '3600' })).toEqual([]);
    expect(replayWarnings({ SNS_MAX_AGE_SECONDS: '604800', EVENT_DEDUPE_TTL_SECONDS: '604800' })).toEqual([]);
  });

  it('warns, in one line naming both variables, when messages may be older than the memory', () => {
    const [warning, ...rest] = replayWarnings({ SNS_MAX_AGE_SECONDS: '604800' });
    expect(rest).toEqual([]);
    expect(warning).toMatch(
      /^SNS_MAX_AGE_SECONDS \(604800\) is longer than EVENT_DEDUPE_TTL_SECONDS \(86400\)/,
    );
    expect(warning).not.toContain('\n');
  });

  it('warns when the age check is off (0)', () => {
    const [warning, ...rest] = replayWarnings({ SNS_MAX_AGE_SECONDS: '0' });
    expect(rest).toEqual([]);
    expect(warning).toMatch(/^SNS_MAX_AGE_SECONDS is 0 \(no age check\).*EVENT_DEDUPE_TTL_SECONDS \(86400\)/);
  });

  it('still starts: both values keep the meaning the contract gives them', () => {
    expect(() => loadConfig({ ...REQUIRED, SNS_MAX_AGE_SECONDS: '0' })).not.toThrow();
    expect(() => loadConfig({ ...REQUIRED, SNS_MAX_AGE_SECONDS: String(365 * 86400) })).not.toThrow();
  });
});
