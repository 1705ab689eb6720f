import { Injectable } from '@nestjs/common';
import type { Finding } from '../detection/finding.js';
import type { CommittedEvent } from '../ingest/event-log.writer.js';

/**
 * Work that must follow every committed batch durably, before the monitor's
 * checkpoint moves past it: the streams directory, the order ledger. A handler
 * must be idempotent (set, never increment): after a crash the batch is
 * handed to it again.
 */
export interface CommittedBatchHandler {
  readonly name: string;
  /** Applies the batch's side effects; returns any findings it reached. */
  handle(batch: CommittedEvent[]): Promise<Finding[]>;
}

/**
 * Feature modules register their handlers here, so the monitor does not
 * import them (and they do not import the monitor).
 */
@Injectable()
export class BatchHandlers {
  private readonly handlers: CommittedBatchHandler[] = [];

  register(handler: CommittedBatchHandler): void {
    this.handlers.push(handler);
  }

  all(): readonly CommittedBatchHandler[] {
    return this.handlers;
  }
}

/** Where findings go: the report store provides it. */
export interface FindingSink {
  applyFindings(findings: Finding[]): Promise<void>;
}
export const FINDING_SINK = Symbol('FINDING_SINK');
