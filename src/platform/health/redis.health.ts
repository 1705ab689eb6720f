import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** Redis answers a PING: BullMQ, key revocations and the review push need it. */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly redis: Redis;

  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // A probe's own connection that never queues: a dead Redis fails the probe now, not after retries.
    this.redis = new Redis(config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
    this.redis.on('error', () => undefined);
  }

  pingCheck<const Key extends string>(key: Key) {
    return this.health
      .check(key)
      .attempt(async () => {
        if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect().catch(() => undefined);
        await this.redis.ping();
      })
      .withTimeout(1_500);
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}
