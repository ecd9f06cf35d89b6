import { raceTimeout } from '../../src/timeout';

describe('raceTimeout', () => {
  it('settles as the work does when the work is first', async () => {
    await expect(raceTimeout(Promise.resolve('done'), 1000, () => 'late')).resolves.toBe('done');
    await expect(raceTimeout(Promise.reject(new Error('boom')), 1000, () => 'late')).rejects.toThrow('boom');
  });

  it('answers with onTimeout when the timer is first', async () => {
    const never = new Promise<string>(() => undefined);
    await expect(raceTimeout(never, 5, () => 'late')).resolves.toBe('late');
  });

  it('rejects with what onTimeout throws', async () => {
    const never = new Promise<string>(() => undefined);
    await expect(
      raceTimeout(never, 5, (): never => {
        throw new Error('too slow');
      }),
    ).rejects.toThrow('too slow');
  });

  it('swallows a rejection of work that lost the race', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      let fail: (error: Error) => void = () => undefined;
      const slow = new Promise<string>((_, reject) => {
        fail = reject;
      });
      await expect(raceTimeout(slow, 5, () => 'late')).resolves.toBe('late');
      fail(new Error('after the answer'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
