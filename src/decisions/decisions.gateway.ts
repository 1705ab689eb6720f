import { Logger } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { StorageUnavailableError } from '../log/event-log.writer.js';
import type { DecisionAnswer } from './decisions.repository.js';
import { DecisionInputError, DecisionsService } from './decisions.service.js';

/** The ack of a decision that could not be made; `retryable` tells the client to send it again. */
export interface DecisionFailure {
  error: { code: 'invalid_event' | 'storage_unavailable' | 'internal'; message: string; retryable: boolean };
}

/**
 * `decide` on the ingest namespace (CONTRACT.md §7): the same handshake and
 * key as `events` (IngestGateway registers it on the namespace), one event
 * in, the decision as the ack.
 */
@WebSocketGateway({ namespace: '/ingest' })
export class DecisionsGateway {
  private readonly logger = new Logger(DecisionsGateway.name);

  constructor(private readonly decisions: DecisionsService) {}

  @SubscribeMessage('decide')
  async decide(@MessageBody() payload: unknown): Promise<DecisionAnswer | DecisionFailure> {
    try {
      return await this.decisions.decide(payload);
    } catch (error) {
      if (error instanceof DecisionInputError) return { error: { code: 'invalid_event', message: error.message, retryable: false } };
      if (error instanceof StorageUnavailableError) return { error: { code: 'storage_unavailable', message: error.message, retryable: true } };
      this.logger.error(`decision failed: ${(error as Error).stack ?? String(error)}`);
      return { error: { code: 'internal', message: 'internal error; retry', retryable: true } };
    }
  }
}
