import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { KEYWARD_CONFIG } from '../config/config.tokens';
import type { KeywardConfig } from '../config/keyward-config';
import { ConnectionStateLog } from './connection-state-log';
import { createRedisConnection, type RedisClient } from './redis-connection';
import { REDIS_CLIENT } from './redis.tokens';

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [KEYWARD_CONFIG],
      useFactory: (config: KeywardConfig) => {
        const client = createRedisConnection(config.redis, 'keyward');
        // Errors surface on the commands that fail; the connection's own error events repeat with
        // every reconnection attempt: one line when it is lost, one when it is back.
        const state = new ConnectionStateLog(new Logger('Redis'), 'Redis');
        client.on('error', (error: unknown) => state.failed(error));
        client.on('ready', () => state.recovered());
        return client;
      },
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
