import { capturingLogger } from '../helpers/logs';
import { REDACT_PATHS } from '../../src/logger';

/** `{ a: { b: value } }` for the path `a.b`. */
function objectAt(path: string, value: string): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, name) => ({ [name]: inner }), value) as Record<string, unknown>;
}

describe('logger redaction', () => {
  it.each(REDACT_PATHS.map((path) => [path]))('masks %s', (path) => {
    const { logger, lines } = capturingLogger();
    const secret = `secret-${path.replace(/\W/g, '-')}-f3a9`;
    logger.info({ ...objectAt(path, secret), bucket: 'visible-bucket' }, 'line');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
    expect(lines[0]).toContain('visible-bucket');
  });

  it('masks the tokens of the configuration when a config object is logged', () => {
    const { logger, lines } = capturingLogger();
    logger.warn({ config: { apiToken: 'api-1f2e', adminToken: 'admin-9c8d', port: 3000 } }, 'config');
    expect(lines[0]).not.toMatch(/api-1f2e|admin-9c8d/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ config: { port: 3000 } });
  });

  it('leaves fields that are not secrets alone', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ tokenCount: 3, headers: { 'content-type': 'text/plain' } }, 'line');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      tokenCount: 3,
      headers: { 'content-type': 'text/plain' },
    });
  });
});
