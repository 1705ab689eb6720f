import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { ConsoleModule } from './console/console.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MonitorModule } from './monitor/monitor.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { OrdersModule } from './orders/orders.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { StatusModule } from './status/status.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            // Access logs for every ingest POST would drown the interesting lines.
            autoLogging: { ignore: (request) => request.url === '/v1/status' || request.url?.startsWith('/health/') === true || request.method === 'POST' },
            redact: ['req.headers.authorization'],
          },
        }),
        BullModule.forRoot({ connection: { url: config.REDIS_URL }, prefix: config.REDIS_PREFIX }),
        DatabaseModule,
        StatusModule,
        MetricsModule,
        AuthModule,
        IngestModule,
        ReportsModule,
        MonitorModule,
        OrdersModule,
        ConsoleModule,
        HealthModule,
        OpenApiModule,
      ],
    };
  }
}
