/**
 * Bounds many waits of one fixed length with one timer, for a hot path where a timer per call
 * (withTimeout) costs a Timeout and three promises each time. Waits are kept in buckets of
 * `ms / 8`; a wait is rejected once its whole bucket is `ms` old, so never before `ms` and at
 * most a quarter longer. The timer runs only while waits are pending, and never keeps the
 * process alive.
 */
export class FixedTimeout {
  private readonly step: number;
  private readonly buckets: Array<{ closedAt: number; waits: Wait[] }> = [];
  private open: Wait[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly ms: number,
    private readonly what = 'operation',
  ) {
    this.step = Math.max(1, Math.ceil(ms / 8));
  }

  /** `work`, or a rejection once `ms` have passed without it settling. */
  bound<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const wait: Wait = { reject, settled: false };
      this.open.push(wait);
      this.timer ??= setInterval(() => this.tick(), this.step).unref();
      work.then(
        (value) => {
          wait.settled = true;
          resolve(value);
        },
        (error: unknown) => {
          wait.settled = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private tick(): void {
    const now = performance.now();
    if (this.open.length > 0) {
      this.buckets.push({ closedAt: now, waits: this.open });
      this.open = [];
    }
    // A bucket closed at `closedAt` holds waits begun before then: `ms` after it, all are due.
    while (this.buckets.length > 0 && now - this.buckets[0].closedAt >= this.ms) {
      for (const wait of this.buckets.shift()!.waits) {
        if (!wait.settled) wait.reject(new Error(`${this.what} timed out after ${this.ms} ms`));
      }
    }
    if (this.buckets.length === 0 && this.open.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

interface Wait {
  reject: (error: Error) => void;
  settled: boolean;
}
