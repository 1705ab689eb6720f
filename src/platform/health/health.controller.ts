import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { StatusRegistry } from '../status/status.registry.js';
import { RedisHealthIndicator } from './redis.health.js';

/**
 * Kubernetes-style probes. Public on purpose (a kubelet has no key); they
 * answer up/down and counts, never error text from inside the service.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly health: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly status: StatusRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The process answers: restart it only when this fails. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.checks.check([]);
  }

  /** Send it traffic: its dependencies answer, its schema is current and detection keeps up. */
  @Get('ready')
  @HealthCheck()
  async ready() {
    return this.explained(this.checks.check([
      () => this.database.pingCheck('postgres').withTimeout(1_500),
      () => this.redis.pingCheck('redis'),
      () =>
        this.health
          .check('migrations')
          .attempt(async () => {
            if (await this.dataSource.showMigrations()) throw new Error('migrations are pending');
          })
          .withTimeout(1_500),
      () => this.detectionLag(),
    ]));
  }

  /** Terminus's 503 body, with a message naming what is down (CONTRACT §6 error shape around it). */
  private async explained<T>(check: Promise<T>): Promise<T> {
    try {
      return await check;
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as { error?: Record<string, unknown> };
      const down = Object.keys(result.error ?? {});
      throw new ServiceUnavailableException({ ...result, message: `not ready: ${down.join(', ') || 'shutting down'}` });
    }
  }

  /**
   * Detection in this process against the bound. An ingest node runs no
   * detection: its readiness is its ability to take events durably, so a
   * slow detect process elsewhere never takes ingest out of rotation.
   */
  private async detectionLag() {
    const check = this.health.check('detection');
    if (this.config.ROOMWATCH_ROLE === 'ingest') return check.up({ role: 'ingest' });
    const lag = (await this.status.part('detection'))?.backlog ?? 0;
    const bound = this.config.READY_MAX_DETECTION_LAG;
    return lag <= bound ? check.up({ lagEvents: lag, bound }) : check.down({ lagEvents: lag, bound });
  }
}
