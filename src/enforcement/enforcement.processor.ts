import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { DeliveriesService, type DeliveryOutcome } from './deliveries.service.js';
import { type EnforcementJobData, type EnforcementJobName, ENFORCEMENT_QUEUE } from './enforcement.queue.js';

/** Webhook calls wait on the network, not the CPU, so several run at once. */
const DELIVERY_CONCURRENCY = 8;

@Processor(ENFORCEMENT_QUEUE, { concurrency: DELIVERY_CONCURRENCY })
export class EnforcementProcessor extends WorkerHost {
  constructor(private readonly deliveries: DeliveriesService) {
    super();
  }

  async process(job: Job<EnforcementJobData, DeliveryOutcome, EnforcementJobName>): Promise<DeliveryOutcome> {
    switch (job.name) {
      case 'deliver': {
        // attemptsMade counts the attempts before this one.
        const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return this.deliveries.deliver(job.data.deliveryId, finalAttempt);
      }
      default: {
        const unknown: never = job.name;
        throw new Error(`unknown enforcement job ${String(unknown)}`);
      }
    }
  }
}
