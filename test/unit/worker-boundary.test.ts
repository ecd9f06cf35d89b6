import { UnrecoverableError } from 'bullmq';
import type { Job } from 'bullmq';
import { InvalidInputError, ThawError, UnavailableError } from '../../src/errors';
import { runJob } from '../../src/queue/worker-boundary';

// The boundary never looks at the job; any job will do.
const job = {} as never as Job<unknown, never, string>;

describe('the job boundary', () => {
  it('fails a job at once for an error that a retry cannot help', async () => {
    const processor = runJob(async () => {
      throw new InvalidInputError('bad_event', 'the event is malformed');
    });
    await expect(processor(job)).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(processor(job)).rejects.toThrow('bad_event: the event is malformed');
  });

  it('lets retryable and unknown errors retry with the queue backoff', async () => {
    const transient = runJob(async () => {
      throw new UnavailableError('redis_unavailable', 'Redis is away');
    });
    await expect(transient(job)).rejects.toBeInstanceOf(UnavailableError);
    const unknown = runJob(async () => {
      throw new TypeError('boom');
    });
    await expect(unknown(job)).rejects.toBeInstanceOf(TypeError);
    const thrownString = runJob(async () => {
      throw 'a string';
    });
    await expect(thrownString(job)).rejects.toThrow('a string');
  });

  it('passes results through', async () => {
    await expect(runJob(async () => 42)(job as never)).resolves.toBe(42);
    expect(new ThawError('x', 'y').retryable).toBe(false);
  });
});
