// Warns at start when Redis is configured so that limits or credits could be lost (eviction, no
// append-only file): see docs/credits.md. Runs once, off the start-up path.
import { REDIS_CLIENT, redisDurabilityWarnings, type RedisClient } from '@keyward/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import cluster from 'node:cluster';

@Injectable()
export class RedisDurabilityCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(RedisDurabilityCheck.name);

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  onApplicationBootstrap(): void {
    // With VERIFY_WORKERS > 1 every process would say the same: the first one forked says it.
    if (cluster.isWorker && cluster.worker?.id !== 1) return;
    void this.whenReady()
      .then(() => redisDurabilityWarnings(this.redis))
      .then(
        (warnings) => warnings.forEach((warning) => this.logger.warn(warning)),
        () => undefined, // Redis is away: readiness and the store metrics say so
      );
  }

  private whenReady(): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.redis.once('ready', resolve);
      setTimeout(() => reject(new Error('Redis not ready')), 30_000).unref();
    });
  }
}
