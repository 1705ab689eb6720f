import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './platform/auth/auth.module.js';
import type { AppConfig } from './platform/config/config.js';
import { ConfigModule } from './platform/config/config.module.js';
import { ConsoleModule } from './console/console.module.js';
import { DatabaseModule } from './platform/database/database.module.js';
import { HealthModule } from './platform/health/health.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { MetricsModule } from './platform/metrics/metrics.module.js';
import { PipelineModule } from './pipeline/pipeline.module.js';
import { OpenApiModule } from './platform/openapi/openapi.module.js';
import { AuditModule } from './audit/audit.module.js';
import { DecisionsModule } from './decisions/decisions.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { StatusModule } from './platform/status/status.module.js';

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
        PipelineModule,
        AuditModule,
        DecisionsModule,
        ConsoleModule,
        HealthModule,
        OpenApiModule,
      ],
    };
  }
}
