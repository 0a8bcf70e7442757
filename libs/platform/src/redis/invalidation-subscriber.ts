import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { KEYWARD_CONFIG } from '../config/config.tokens';
import type { KeywardConfig } from '../config/keyward-config';
import { invalidationChannel, type InvalidationMessage } from './invalidation';
import { createRedisConnection } from './redis-connection';

export interface InvalidationListener {
  onInvalidation(message: InvalidationMessage): void;
  /** Messages may have been missed while the subscription was down: drop everything. */
  onSubscriptionGap(): void;
}

/**
 * Listens on the invalidation channel with its own connection (a subscribed connection can run
 * no other command). Every (re)subscription is treated as a gap, so caches are flushed whenever
 * a message could have been lost.
 */
@Injectable()
export class InvalidationSubscriber implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(InvalidationSubscriber.name);
  private readonly listeners: InvalidationListener[] = [];
  private connection?: Redis;

  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig) {}

  register(listener: InvalidationListener): void {
    this.listeners.push(listener);
  }

  onModuleInit(): void {
    const channel = invalidationChannel(this.config.redisKeyPrefix);
    const connection = createRedisConnection(this.config.redisUrl, 'keyward-invalidations', {
      enableOfflineQueue: true,
      commandTimeout: undefined,
      maxRetriesPerRequest: null,
    });
    this.connection = connection;
    connection.on('error', () => undefined);
    connection.on('ready', () => {
      connection.subscribe(channel).then(
        () => this.listeners.forEach((listener) => listener.onSubscriptionGap()),
        (error: unknown) => this.logger.warn({ err: error }, 'Could not subscribe to invalidations'),
      );
    });
    connection.on('close', () => this.listeners.forEach((listener) => listener.onSubscriptionGap()));
    connection.on('message', (_channel: string, payload: string) => {
      let message: InvalidationMessage;
      try {
        message = JSON.parse(payload) as InvalidationMessage;
      } catch {
        return;
      }
      this.listeners.forEach((listener) => listener.onInvalidation(message));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
