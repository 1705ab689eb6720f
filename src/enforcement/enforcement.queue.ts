import type { JobsOptions } from 'bullmq';
import type { EnforcementOptions } from './enforcement.options.js';

/** Delivers enforceable report versions to the platform's webhook. */
export const ENFORCEMENT_QUEUE = 'enforcement';

export type EnforcementJobName = 'deliver';

export interface DeliverJobData {
  /** deliveries.id; the row holds everything else, so a job never carries a stale report. */
  deliveryId: string;
}

export type EnforcementJobData = DeliverJobData;

export function enforcementJobOptions(options: EnforcementOptions): JobsOptions {
  return {
    attempts: options.ENFORCEMENT_ATTEMPTS,
    backoff: { type: 'exponential', delay: options.ENFORCEMENT_BACKOFF_MS },
    removeOnComplete: { count: 1_000 },
    // Kept long enough to inspect, bounded so Redis cannot fill; the deliveries table is the lasting record.
    removeOnFail: { count: 5_000, age: 7 * 24 * 3600 },
  };
}

/**
 * BullMQ job id from business keys: one job per delivery and manual retry.
 * BullMQ refuses ':' in custom ids, hence the dashes.
 */
export function deliverJobId(deliveryId: string, manualRetries: number): string {
  return manualRetries === 0 ? `deliver-${deliveryId}` : `deliver-${deliveryId}-r${manualRetries}`;
}
