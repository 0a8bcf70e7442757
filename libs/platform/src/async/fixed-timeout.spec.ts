import { FixedTimeout } from './fixed-timeout';

const never = () => new Promise<never>(() => undefined);
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

/** When `work` settled, in ms after the call, and how. */
async function settle(timeout: FixedTimeout, work: Promise<unknown>): Promise<{ ms: number; outcome: string }> {
  const started = performance.now();
  const outcome = await timeout.bound(work).then(
    (value) => `value ${String(value)}`,
    (error: Error) => `error ${error.message}`,
  );
  return { ms: performance.now() - started, outcome };
}

describe('FixedTimeout', () => {
  it('rejects a wait that does not settle, never before its time and at most a quarter later', async () => {
    const timeout = new FixedTimeout(80, 'Redis');
    // Begun at different points of the timer's step, all together.
    const waits = await Promise.all([0, 3, 7, 13, 29, 51].map((delay) => after(delay, null).then(() => settle(timeout, never()))));
    for (const { ms, outcome } of waits) {
      expect(outcome).toBe('error Redis timed out after 80 ms');
      expect(ms).toBeGreaterThanOrEqual(80);
      expect(ms).toBeLessThanOrEqual(80 * 1.25 + 15); // the timer itself may run a little late
    }
  });

  it('passes on what settles in time, value or error, and does not reject it later', async () => {
    const timeout = new FixedTimeout(80);
    const answered = await Promise.all([
      settle(timeout, after(10, 'early')),
      settle(timeout, Promise.reject(new Error('refused'))),
      settle(timeout, after(70, 'late')),
    ]);
    expect(answered.map(({ outcome }) => outcome)).toEqual(['value early', 'error refused', 'value late']);
    expect(answered[0].ms).toBeLessThan(60);
  });

  it('stops its timer once nothing waits, and starts it again for the next wait', async () => {
    const started = jest.spyOn(global, 'setInterval');
    const stopped = jest.spyOn(global, 'clearInterval');
    try {
      const timeout = new FixedTimeout(40);
      await Promise.all([settle(timeout, after(5, 'x')), settle(timeout, after(6, 'y'))]);
      expect(started).toHaveBeenCalledTimes(1);
      await after(40 * 1.25 + 30, null);
      // (The earlier tests' instances may stop their own timers meanwhile: this one's is stopped.)
      expect(stopped).toHaveBeenCalledWith(started.mock.results[0].value);
      expect(await settle(timeout, never())).toMatchObject({ outcome: 'error operation timed out after 40 ms' });
      expect(started).toHaveBeenCalledTimes(2);
    } finally {
      started.mockRestore();
      stopped.mockRestore();
    }
  });
});
