import { afterFailedAttempt, retryDelaySeconds, RETRY_WINDOW_SECONDS } from './retry-schedule';

describe('webhook retry schedule', () => {
  it.each([
    [1, 15],
    [2, 30],
    [3, 60],
    [4, 120],
    [8, 1920],
    [9, 3600],
    [10, 3600],
    [1000, 3600],
  ])('waits, after failed attempt %i, %i seconds', (attempts, seconds) => {
    expect(retryDelaySeconds(attempts)).toBe(seconds);
  });

  it('retries the first failure within 30 seconds', () => {
    expect(retryDelaySeconds(1)).toBeLessThanOrEqual(30);
  });

  it('schedules the next attempt after the backoff while the delivery is younger than 24 h', () => {
    const createdAt = new Date('2025-01-01T00:00:00.000Z');
    const now = new Date('2025-01-01T23:59:59.000Z');

    expect(afterFailedAttempt(9, createdAt, now)).toEqual({ status: 'pending', nextAttemptAt: new Date('2025-01-02T00:59:59.000Z') });
  });

  it('fails the delivery once it is 24 h old', () => {
    const createdAt = new Date('2025-01-01T00:00:00.000Z');

    expect(afterFailedAttempt(20, createdAt, new Date(createdAt.getTime() + RETRY_WINDOW_SECONDS * 1000))).toEqual({ status: 'failed' });
  });

  it('keeps retrying for at least 24 h: the attempts fill the window', () => {
    const createdAt = new Date('2025-01-01T00:00:00.000Z');
    let now = createdAt;
    let attempts = 0;
    for (;;) {
      attempts++;
      const next = afterFailedAttempt(attempts, createdAt, now);
      if (next.status === 'failed') break;
      now = next.nextAttemptAt;
    }

    expect(now.getTime() - createdAt.getTime()).toBeGreaterThanOrEqual(RETRY_WINDOW_SECONDS * 1000);
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(40);
  });
});
