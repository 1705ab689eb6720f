import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

type RevocationListener = (keyId: string) => void;

/**
 * Tells every roomwatch process that a key was revoked, so cached keys and
 * open sockets authenticated with it are dropped at once, not at the next
 * cache expiry. Redis pub/sub, because ingest and review nodes are many.
 */
@Injectable()
export class KeyRevocations implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(KeyRevocations.name);
  private readonly listeners = new Set<RevocationListener>();
  private readonly channel: string;
  private publisher!: Redis;
  private subscriber!: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.channel = `${config.REDIS_PREFIX}:api-keys:revoked`;
  }

  async onModuleInit(): Promise<void> {
    this.publisher = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(this.config.REDIS_URL);
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error) => this.logger.warn(`redis: ${error.message}`));
    }
    this.subscriber.on('message', (_channel, keyId: string) => this.notify(keyId));
    await this.subscriber.subscribe(this.channel);
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }

  onRevoked(listener: RevocationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Local listeners hear it at once; other processes through Redis. */
  async announce(keyId: string): Promise<void> {
    this.notify(keyId);
    try {
      await this.publisher.publish(this.channel, keyId);
    } catch (error) {
      // Other processes still drop the key when their cache entry expires.
      this.logger.warn(`could not broadcast revocation of ${keyId}: ${(error as Error).message}`);
    }
  }

  private notify(keyId: string): void {
    for (const listener of this.listeners) listener(keyId);
  }
}
