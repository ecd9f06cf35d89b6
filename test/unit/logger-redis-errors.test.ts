import { createRedisKeys } from '../../src/keys';
import { capturingLogger } from '../helpers/logs';

/** What ioredis throws: the reply's text, plus the command it failed on (its keys and values). */
function redisError(message: string, name: string, args: string[]): Error {
  return Object.assign(new Error(message), { name: 'ReplyError', command: { name, args } });
}

const TOKEN = 'pQ3-customerLinkToken_abcdefghij012';
const keys = createRedisKeys('thaw');

describe('logged errors never carry a Redis command’s arguments', () => {
  it('keeps the command name and drops its arguments (keys and values may be link tokens)', () => {
    const { logger, lines } = capturingLogger();
    logger.error({ err: redisError('WRONGTYPE wrong kind', 'get', [keys.downloadToken(TOKEN)]) }, 'failed');
    expect(lines[0]).not.toContain(TOKEN);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      err: { message: 'WRONGTYPE wrong kind', command: { name: 'get' } },
    });
  });

  it('drops them in nested errors too: an aggregate, a cluster error’s lastNodeError, a cause', () => {
    const { logger, lines } = capturingLogger();
    // A page token is only a value here (a proposal handed to a script), not part of a key.
    const failed = redisError('NOSCRIPT', 'evalsha', [
      'abc123',
      '1',
      keys.request('r_1'),
      TOKEN,
      keys.pageToken(''),
    ]);
    const cluster = Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: failed });
    logger.warn({ err: new AggregateError([failed], 'all attempts failed') }, 'aggregate');
    logger.warn({ err: cluster }, 'cluster');
    logger.warn({ err: new Error('could not make the links', { cause: failed }) }, 'cause');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toContain(TOKEN);
    expect(lines[0]).toContain('evalsha');
  });

  it('masks token-bearing keys quoted in an error message or stack', () => {
    const { logger, lines } = capturingLogger();
    const other = createRedisKeys('tests:p');
    logger.error(
      { err: new Error(`cannot read ${keys.downloadToken(TOKEN)} nor ${other.pageToken(TOKEN)}`) },
      'x',
    );
    expect(lines[0]).not.toContain(TOKEN);
    expect(lines[0]).toContain('{thaw}:dl:[token]');
    expect(lines[0]).toContain('{tests:p}:page:[token]');
  });
});
