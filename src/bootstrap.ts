import { type INestApplication, Logger, StandardSchemaValidationPipe } from '@nestjs/common';
import { BadRequestException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.js';
import { checkRedis } from './database/check-redis.js';
import { prepareDatabase } from './database/prepare-database.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { RoomwatchIoAdapter } from './socket-io.adapter.js';

/** Request bodies: a full 1000-event batch of long comments fits with room to spare. */
const MAX_BODY = '8mb';

/**
 * Builds and starts the service: dependencies checked, database created and
 * migrated, then the app listening. Shared by main.ts and the e2e tests.
 */
export async function startApp(config: AppConfig): Promise<INestApplication> {
  await checkRedis(config.REDIS_URL);
  const applied = await prepareDatabase(config.DATABASE_URL);

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(PinoLogger));
  app.useBodyParser('json', { limit: MAX_BODY });
  app.useBodyParser('text', { type: 'application/x-ndjson', limit: MAX_BODY });
  app.useWebSocketAdapter(new RoomwatchIoAdapter(app));
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(
    new StandardSchemaValidationPipe({
      exceptionFactory: (issues) =>
        new BadRequestException(
          issues.map((issue) => `${issue.path?.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.') || 'body'}: ${issue.message}`).join('; '),
        ),
    }),
  );
  app.enableShutdownHooks();
  await app.listen(config.PORT, '0.0.0.0');
  const logger = new Logger('roomwatch');
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  logger.log(`listening on port ${portOf(app)}`);
  return app;
}

export function portOf(app: INestApplication): number {
  const address = app.getHttpServer().address();
  return typeof address === 'object' && address ? address.port : 0;
}
