import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Post,
  Req,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { Request } from 'express';
import { RequireRole } from '../platform/auth/auth.guard.js';
import { StorageUnavailableError } from '../log/event-log.writer.js';
import { type IngestAck, IngestRequestError, IngestService, UnparsableItem } from './ingest.service.js';

@Controller('v1/events')
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  /** Backfills over HTTP: a JSON array (or one event), or NDJSON; same ack as the socket. */
  @Post()
  @HttpCode(200)
  @RequireRole('ingest')
  async append(@Req() request: Request, @Body() body: unknown): Promise<IngestAck> {
    let payload: unknown;
    if (request.is('application/x-ndjson')) payload = parseNdjson(body);
    else if (request.is('application/json')) payload = body;
    else throw new BadRequestException('Content-Type: must be application/json or application/x-ndjson');
    try {
      return await this.ingest.ingest(payload);
    } catch (error) {
      if (error instanceof IngestRequestError) throw new BadRequestException(error.message);
      if (error instanceof StorageUnavailableError) throw new ServiceUnavailableException(error.message);
      throw error;
    }
  }
}

/** One event per line; a line that is not JSON is rejected alone, by its index. */
function parseNdjson(body: unknown): unknown[] {
  if (typeof body !== 'string') throw new BadRequestException('body: NDJSON must be sent as text');
  const items: unknown[] = [];
  const lines = body.split('\n');
  lines.forEach((line, lineIndex) => {
    if (line.trim() === '') return;
    try {
      items.push(JSON.parse(line));
    } catch {
      items.push(new UnparsableItem(`line ${lineIndex + 1}: not valid JSON`));
    }
  });
  return items;
}
