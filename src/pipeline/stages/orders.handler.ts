import { Injectable, Logger } from '@nestjs/common';
import type { Finding } from '../../detection/engine/finding.js';
import type { CommittedEvent } from '../../log/event-log.writer.js';
import type { CommittedBatchHandler } from '../batch-handlers.js';
import { OrderDetection } from './order-detection.js';
import { OrderLedger } from '../../state/ledger/order-ledger.js';

/**
 * The orders' batch handler: folds each committed batch into the ledger,
 * then re-judges every stream whose orders, claim or boundaries the batch
 * touched, once per batch. Both steps are idempotent, so a batch handed
 * again after a crash gives the same rows and the same findings.
 */
@Injectable()
export class OrdersHandler implements CommittedBatchHandler {
  readonly name = 'orders';
  private readonly logger = new Logger(OrdersHandler.name);

  constructor(
    private readonly ledger: OrderLedger,
    private readonly detection: OrderDetection,
  ) {}

  async handle(batch: CommittedEvent[]): Promise<Finding[]> {
    const change = await this.ledger.apply(batch);
    if (change.touchedStreams.size === 0) return [];
    const findings = await this.detection.evaluate(change);
    if (findings.length > 0) this.logger.debug(`${findings.length} order findings from ${change.touchedStreams.size} streams`);
    return findings;
  }
}
