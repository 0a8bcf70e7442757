import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { KEYWARD_CONFIG } from '../config/config.tokens';
import type { KeywardConfig, RedisTarget } from '../config/keyward-config';
import { invalidationChannel, type InvalidationMessage } from './invalidation';
import { createRedisConnection, nodeTargets, type RedisClient } from './redis-connection';

export interface InvalidationListener {
  onInvalidation(message: InvalidationMessage): void;
  /** Messages may have been missed while the subscription was down: drop everything. */
  onSubscriptionGap(): void;
}

/** Reconnections to one cluster node before the subscription moves on to the next. */
const NODE_RECONNECT_ATTEMPTS = 3;

/**
 * Listens on the invalidation channel with its own connection (a subscribed connection can run
 * no other command). Every (re)subscription is treated as a gap, so caches are flushed whenever
 * a message could have been lost.
 *
 * In a Redis Cluster this is plain (not sharded) pub/sub on a plain connection to one node: a
 * PUBLISH on any node reaches every node of the cluster, so any one will do. When that node is
 * lost, the subscription moves on to the next of REDIS_URL's nodes, and the move is a gap like any
 * other. (ioredis's own cluster subscriber would change nodes without saying so.)
 */
@Injectable()
export class InvalidationSubscriber implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(InvalidationSubscriber.name);
  private readonly listeners: InvalidationListener[] = [];
  private connection?: RedisClient;
  private stopping = false;

  constructor(@Inject(KEYWARD_CONFIG) private readonly config: KeywardConfig) {}

  register(listener: InvalidationListener): void {
    this.listeners.push(listener);
  }

  onModuleInit(): void {
    this.subscribeOn(nodeTargets(this.config.redis), 0);
  }

  private subscribeOn(nodes: RedisTarget[], index: number): void {
    const channel = invalidationChannel(this.config.redisKeyPrefix);
    const connection = createRedisConnection(nodes[index], 'keyward-invalidations', {
      patient: true,
      // One server: retried for as long as it takes. Several nodes: the next one after a few tries.
      reconnectAttempts: nodes.length > 1 ? NODE_RECONNECT_ATTEMPTS : undefined,
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
    connection.on('end', () => {
      if (!this.stopping) this.subscribeOn(nodes, (index + 1) % nodes.length);
    });
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
    this.stopping = true;
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
