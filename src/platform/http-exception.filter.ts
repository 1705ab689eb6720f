import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { TooManyFailedAuthentications } from './auth/failed-auth-limiter.js';

/**
 * Every HTTP error leaves as `{ statusCode, error, message }` (CONTRACT.md §6),
 * including body-parser failures and unexpected crashes; a stack trace goes to
 * the log, never to the caller.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const response = host.switchToHttp().getResponse<Response>();
    const { statusCode, message, details } = this.describe(exception);
    // A stack only for the unexpected; a deliberate 5xx (not ready, storage away) is one line.
    if (!(exception instanceof HttpException)) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    else if (statusCode >= 500) this.logger.warn(`${statusCode} ${message}`);
    const error = HttpStatus[statusCode]
      ?.toLowerCase()
      .split('_')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' ');
    if (exception instanceof TooManyFailedAuthentications) response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    response.status(statusCode).json({ ...details, statusCode, error: error ?? 'Error', message });
  }

  private describe(exception: unknown): { statusCode: number; message: string; details?: Record<string, unknown> } {
    if (!(exception instanceof HttpException)) return { statusCode: 500, message: 'internal error' };
    // Body-parser failures arrive wrapped, with the parser's error as cause.
    const cause = exception.cause as { type?: unknown; limit?: unknown } | undefined;
    if (cause?.type === 'entity.parse.failed') return { statusCode: 400, message: `body: not valid JSON (${exception.message})` };
    if (cause?.type === 'encoding.invalid_utf8') return { statusCode: 400, message: 'body: not valid UTF-8; send UTF-8 text' };
    if (cause?.type === 'entity.too.large') {
      return { statusCode: 413, message: `body: larger than the limit of ${String(cause.limit)} bytes; send smaller batches` };
    }
    // The router answers a path segment that does not decode (`%80`) before any route or schema sees it.
    const undecodable = /^Failed to decode param '(.*)'$/.exec(exception.message);
    if (undecodable) return { statusCode: 400, message: `path: the segment '${undecodable[1]}' is not percent-encoded UTF-8` };
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
    // An exception built from an object keeps its other fields (a health check's per-dependency results).
    const details = typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
    return { statusCode: exception.getStatus(), message: Array.isArray(message) ? message.join('; ') : String(message), details };
  }
}
