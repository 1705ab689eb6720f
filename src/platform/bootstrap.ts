import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { type INestApplication, Logger, StandardSchemaValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from '../app.module.js';
import type { AppConfig } from './config/config.js';
import { checkRedis } from './database/check-redis.js';
import { prepareDatabase } from './database/prepare-database.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { RoomwatchIoAdapter } from './socket-io.adapter.js';
import { validationError } from './validation/route-input.js';

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
  // Nest reserves `verify` for its rawBody option (off here) and leaves it out
  // of the type; body-parser still takes it, and Nest passes it through.
  const utf8Only = { verify: refuseInvalidUtf8 };
  app.useBodyParser('json', { limit: MAX_BODY, ...utf8Only });
  app.useBodyParser('text', { type: 'application/x-ndjson', limit: MAX_BODY, ...utf8Only });
  app.useWebSocketAdapter(new RoomwatchIoAdapter(app));
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useGlobalPipes(new StandardSchemaValidationPipe({ exceptionFactory: validationError }));
  app.enableShutdownHooks();
  await app.listen(config.PORT, config.HOST);
  const logger = new Logger('roomwatch');
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  logger.log(`listening on ${config.HOST} port ${portOf(app)}`);
  return app;
}

/**
 * Body-parser would turn invalid UTF-8 into U+FFFD and accept the event with
 * text the sender never wrote; refuse the body instead (400, by the filter).
 */
function refuseInvalidUtf8(_request: IncomingMessage, _response: unknown, body: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding) && !isUtf8(body)) {
    throw Object.assign(new Error('body: not valid UTF-8'), { status: 400, type: 'encoding.invalid_utf8' });
  }
}

export function portOf(app: INestApplication): number {
  const address = app.getHttpServer().address();
  return typeof address === 'object' && address ? address.port : 0;
}
