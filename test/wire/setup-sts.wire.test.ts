import { formParams } from '../helpers/aws-stand-in';
import { BUCKET, REGION, runSetupIn, startSetupWorld } from '../helpers/setup-aws-world';
import type { SetupWorld } from '../helpers/setup-aws-world';
import { wireProblems } from '../helpers/setup-wire-check';

/**
 * STS GetCallerIdentity on the wire: the account a new dead-letter queue is created in. STS API
 * Reference, GetCallerIdentity: query protocol, `Action=GetCallerIdentity&Version=2011-06-15` and
 * no parameters of its own ("Request Parameters": none beyond the common ones); Response Elements
 * Account, Arn, UserId. "No permissions are required to perform this operation."
 */

const ARGS = ['--bucket', BUCKET, '--endpoint', 'https://thaw.example.com/sns', '--region', REGION, '--dlq'];

let world: SetupWorld;
beforeEach(async () => {
  world = await startSetupWorld();
});
afterEach(async () => {
  await world.stop();
});

function stsCalls() {
  return world.calls().filter((call) => call.service === 'sts');
}

describe('STS requests of thaw setup on the wire', () => {
  it('asks GetCallerIdentity, with no parameters, once, when a queue must be created', async () => {
    world.account = '999988887777';

    const { code } = await runSetupIn(world, ARGS);

    expect(code).toBe(0);
    expect(world.calls().flatMap(wireProblems)).toEqual([]);
    const [call, ...more] = stsCalls();
    expect(more).toEqual([]);
    expect(call?.request.method).toBe('POST');
    expect(call?.request.path).toBe('/');
    expect(formParams(call?.request.body ?? '')).toEqual({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
    });
    expect(world.queues.get('thaw-restore-events-dlq')?.['QueueArn']).toBe(
      `arn:aws:sqs:${REGION}:999988887777:thaw-restore-events-dlq`,
    );
  });

  it('asks it in a dry run too (it reads only), and not at all without --dlq', async () => {
    expect((await runSetupIn(world, [...ARGS, '--dry-run'])).code).toBe(0);
    expect(stsCalls()).toHaveLength(1);
    world.clear();

    expect((await runSetupIn(world, ARGS.slice(0, -1))).code).toBe(0);
    expect(stsCalls()).toHaveLength(0);
  });
});
