import type { Finding } from '../detection/engine/finding.js';
import type { CommittedEvent } from '../log/event-log.writer.js';

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
 * The state stages every committed batch runs through, in order, before the
 * engine sees it. The pipeline module lists them (monitor.module.ts); a
 * feature never registers itself, so the order is written in one place.
 */
export class BatchHandlers {
  constructor(private readonly handlers: readonly CommittedBatchHandler[]) {}

  all(): readonly CommittedBatchHandler[] {
    return this.handlers;
  }
}

/** Where findings go: the report store provides it. */
export interface FindingSink {
  applyFindings(findings: Finding[]): Promise<void>;
}
export const FINDING_SINK = Symbol('FINDING_SINK');
