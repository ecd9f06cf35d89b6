import { parseFlags } from '../../src/cli/cli-args';
import { runSimulate } from '../../src/cli/simulate-command';
import { runCli } from '../../src/cli/thaw';
import { toMailError } from '../../src/notify/ses-errors';

/**
 * Names that come from outside (an SES error name, command-line words) are
 * looked up as own properties only: `constructor`, `toString` or `__proto__` are names like any
 * other, never the prototype's members.
 */
describe('lookups keyed by outside names', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'an SES error named %s is an unnamed client error, not an account problem',
    (name) => {
      const error = toMailError({ name, message: 'odd', $metadata: { httpStatusCode: 400 } });
      expect(error.kind).toBe('rejected');
      expect(error.code).toBe('ses_client_error');
      expect(typeof error.code).toBe('string');
    },
  );

  it('answers an inherited name as an unknown command or option', async () => {
    const lines: string[] = [];
    expect(await runCli(['constructor'], { out: (line) => lines.push(line) })).toBe(2);
    expect(lines.join('\n')).toContain('unknown command "constructor"');
    expect(parseFlags(['--toString'], { bucket: 'string' } as const)).toBe('unknown option --toString');
    const out: string[] = [];
    const code = await runSimulate(
      ['--url', 'http://127.0.0.1:1/sns', '--bucket', 'b', '--key', 'k', '--kind', 'toString'],
      {
        out: (line) => out.push(line),
      },
    );
    expect(code).toBe(2);
    expect(out.join('\n')).toContain('--kind must be');
  });
});
