// The admin API's side of the job queues: it adds runs and reads states, and must answer within a
// few seconds whatever Redis does (docs/failure-modes.md). So, unlike the worker's patient
// connections, its one connection sends each command at most once (never queued while Redis is
// unreachable, never sent again after a reconnection), every call is bounded, and a queue that
// cannot answer now is a 503 at once.
import {
  ConnectionStateLog,
  createRedisConnection,
  DomainError,
  isRedisUnavailableError,
  KEYWARD_CONFIG,
  withTimeout,
  type KeywardConfig,
  type RedisClient,
} from '@keyward/platform';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Queue, type Job } from 'bullmq';
import { bullQueuePrefix } from './bull-prefix';
import { ALL_QUEUES } from './job-names';

/** The longest a job endpoint waits for Redis before it answers 503. */
export const QUEUE_ANSWER_MS = 2_000;
/** Retry-After of that 503. */
const RETRY_AFTER_SECONDS = 5;

export class QueueUnavailableError extends DomainError {
  constructor() {
    super('SERVICE_UNAVAILABLE', 'The job queues are unavailable (Redis does not answer); retry shortly.', [], RETRY_AFTER_SECONDS);
  }
}

interface HeldQueue {
  queue: Queue;
  /** Settles when BullMQ has set the queue up on its connection (it does so once, when Redis first answers). */
  initialising: Promise<unknown>;
  /** That set-up failed: the queue is of no use and is made again on next use. */
  broken: boolean;
}

@Injectable()
export class JobQueues implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JobQueues.name);
  private readonly state = new ConnectionStateLog(this.logger, 'Redis (job queues)');
  private readonly connection: RedisClient;
  private readonly queues = new Map<string, HeldQueue>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig) {
    // One connection for every queue (BullMQ is handed it, and leaves closing it to this class).
    this.connection = createRedisConnection(config.redis, 'keyward-jobs', { atMostOnce: true, commandTimeoutMs: QUEUE_ANSWER_MS });
    this.connection.on('error', (error: unknown) => this.state.failed(error));
    this.connection.on('ready', () => this.state.recovered());
  }

  /** Every queue set up at boot (in the background: Redis may be away), so that the first request finds it ready. */
  onModuleInit(): void {
    for (const name of ALL_QUEUES) this.held(name);
  }

  /** Whether `error` means the queues cannot answer now (rather than a bug or a refusal). */
  static isUnavailable(error: unknown): boolean {
    return (
      error instanceof QueueUnavailableError ||
      isRedisUnavailableError(error) ||
      /timed out after/.test(String((error as { message?: unknown } | null)?.message))
    );
  }

  /**
   * Runs `work` on the queue `name` within QUEUE_ANSWER_MS, or throws QueueUnavailableError: at
   * once when the connection is not up now, after the bound when Redis does not answer. Domain
   * errors (404, 409) pass through.
   */
  async use<T>(name: string, work: (queue: Queue) => Promise<T>): Promise<T> {
    const queue = await this.ready(name);
    try {
      return await withTimeout(work(queue), QUEUE_ANSWER_MS, 'job queue');
    } catch (error) {
      if (JobQueues.isUnavailable(error)) throw new QueueUnavailableError();
      throw error;
    }
  }

  /**
   * The queue `name`, if its connection is up now (QueueUnavailableError at once otherwise), once
   * BullMQ has set it up (QueueUnavailableError should that take longer than QUEUE_ANSWER_MS: no
   * command of the request has been sent then, so none can run later).
   */
  async ready(name: string): Promise<Queue> {
    if (this.connection.status !== 'ready') throw new QueueUnavailableError();
    const held = this.held(name);
    await withTimeout(held.initialising, QUEUE_ANSWER_MS, 'job queue set-up').catch(() => {
      throw new QueueUnavailableError();
    });
    return held.queue;
  }

  /**
   * Makes sure the job `jobId`, whose add was not answered in time, never runs: removes it, on the
   * same connection right behind the add (Redis runs one connection's commands in order, so the
   * removal runs before any worker could take the job), and again once Redis answers, should the
   * first removal be lost with the connection. The job was added parked (manual-runs.ts): until
   * then no worker takes it.
   */
  discard(queue: Queue, jobId: string): void {
    const attempt = (tries: number): void => {
      queue.remove(jobId).then(
        (removed) =>
          removed && this.logger.warn({ jobId }, 'A run answered 503 had reached its queue after all; removed before it could run'),
        (error: unknown) => {
          if (tries >= 10) {
            this.logger.error(
              { jobId, error: (error as Error).message },
              'Could not remove a run answered 503; it stays parked, and the worker refuses it',
            );
            return;
          }
          this.later(() => attempt(tries + 1), Math.min(1_000 * 2 ** tries, 30_000));
        },
      );
    };
    attempt(0);
  }

  /**
   * Releases a parked run whose add was answered in time (the request is answered 202): promotes it,
   * retrying in the background should Redis not answer now, until it is released or gone.
   */
  async release(job: Job): Promise<void> {
    const attempt = async (): Promise<boolean> => {
      try {
        await job.promote();
        return true;
      } catch (error) {
        // Released already (an earlier attempt landed late), or gone.
        return /not in the delayed state|Missing key for job/i.test((error as Error).message);
      }
    };
    if (await withTimeout(attempt(), QUEUE_ANSWER_MS, 'job release').catch(() => false)) return;
    const retry = (tries: number): void => {
      this.later(
        async () => {
          if (await attempt()) return;
          if (tries < 20) retry(tries + 1);
          else this.logger.error({ jobId: job.id }, 'Could not release a run answered 202; it stays parked');
        },
        Math.min(1_000 * 2 ** tries, 30_000),
      );
    };
    retry(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.timers.forEach((timer) => clearTimeout(timer));
    await Promise.all([...this.queues.values()].map(({ queue }) => queue.close().catch(() => undefined)));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  private later(work: () => unknown, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void work();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private held(name: string): HeldQueue {
    const known = this.queues.get(name);
    if (known && !known.broken) return known;
    const queue = new Queue(name, { connection: this.connection as never, prefix: bullQueuePrefix(this.config.redisKeyPrefix) });
    // The connection's own errors are logged once per outage above; BullMQ repeats them on every queue.
    queue.on('error', (error: unknown) => this.state.failed(error));
    const held: HeldQueue = { queue, initialising: queue.waitUntilReady(), broken: false };
    held.initialising.catch((error: unknown) => {
      held.broken = true;
      this.state.failed(error);
      void queue.close().catch(() => undefined);
    });
    this.queues.set(name, held);
    return held;
  }
}
